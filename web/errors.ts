import { ConnectionError, ParleyApiError, ParleyClientError } from '../src/client/index.js';

/** One sentence for the person at the keyboard: the server's own description when it said no. */
export function describeError(error: unknown, doing?: string): string {
  const prefix = doing ? `Could not ${doing}: ` : '';
  if (error instanceof ParleyApiError) return prefix + sentence(error.description);
  if (error instanceof ConnectionError) {
    return error.temporary
      ? `${prefix}the server is not answering. Check your connection; it will retry when it is back.`
      : `${prefix}you are disconnected. Log in again.`;
  }
  if (error instanceof ParleyClientError) return prefix + sentence(error.message);
  if (error instanceof Error) return prefix + sentence(error.message);
  return `${prefix}something went wrong.`;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return 'something went wrong.';
  return /[.!?…”"]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
