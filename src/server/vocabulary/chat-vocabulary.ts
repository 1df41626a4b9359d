/**
 * Chat has two vocabularies for the same things. The Stitch era (nexmo-stitch, Parley's SDK, nexmo-client's
 * `sendText`) says `text` with `body: {text}` and receipts `text:seen` / `text:delivered`; the successor SDKs
 * say `message` with `body: {message_type: 'text', text}` and `message:seen` / `message:delivered`. An event is
 * stored once, in the words its sender used, and each client is shown it in its own: same id, same order.
 */

export interface ChatWords {
  type: string;
  body: Record<string, unknown>;
}

const isTextMessage = (type: string, body: Record<string, unknown>): boolean =>
  type === 'message' && body.message_type === 'text';

/** An event as the Stitch-era clients understand it; a `message` that is not text stays a `message`. */
export function toStitchWords(type: string, body: Record<string, unknown>): ChatWords {
  // The body keeps `message_type`, which Stitch ignores, so the words can be turned back (toMessageWords).
  if (isTextMessage(type, body)) return { type: 'text', body };
  if (type === 'message:seen') return { type: 'text:seen', body };
  if (type === 'message:delivered') return { type: 'text:delivered', body };
  return { type, body };
}

/**
 * An event as the successor SDKs understand it, from either stored or Stitch words. `keepText` leaves a
 * Stitch-era `text` as it was sent, for nexmo-client, which understands both and whose `sendText` apps
 * listen for `text`; the Vonage SDK ignores `text` live and fails a history page on it.
 */
export function toMessageWords(
  type: string,
  body: Record<string, unknown>,
  options: { keepText: boolean; stored: boolean },
): ChatWords {
  if (type === 'text') {
    if (body.message_type === 'text') return { type: 'message', body };
    return options.keepText ? { type, body } : { type: 'message', body: { message_type: 'text', ...body } };
  }
  if (type === 'text:seen') return { type: 'message:seen', body };
  // Stored delivery receipts are `message:delivered`; Stitch's `text:delivered` is relayed, never stored, and
  // has no id, which the Vonage SDK requires of a `message:delivered`.
  if (type === 'text:delivered' && options.stored) return { type: 'message:delivered', body };
  return { type, body };
}

/** The chat types the Vonage SDK's history decoder knows; any other type fails its whole page. */
export function isChatEvent(type: string): boolean {
  return (
    type === 'message' ||
    type === 'member:invited' ||
    type === 'member:joined' ||
    type === 'member:left' ||
    type === 'event:delete' ||
    type.startsWith('custom:')
  );
}
