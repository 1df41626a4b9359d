/** The demo server's helper endpoints: who the demo users are, and tokens for them without a private key. */
export interface DemoConfig {
  users: string[];
  conversation_id: string;
}

export interface DemoToken {
  token: string;
  /** Epoch seconds. */
  expires_at: number;
}

export class DemoLoginError extends Error {
  override readonly name = 'DemoLoginError';
}

const UNREACHABLE = 'Could not reach the server. Check your connection and try again.';

/** `fetch`, with a network failure turned into a sentence a person can act on. */
async function request(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, init);
  } catch {
    throw new DemoLoginError(UNREACHABLE);
  }
}

/** The demo configuration, or `undefined` when the server is not in demo mode. */
export async function fetchDemoConfig(): Promise<DemoConfig | undefined> {
  const res = await request('/demo/config', { headers: { accept: 'application/json' } });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new DemoLoginError(`The server could not say how to log in (HTTP ${res.status}).`);
  const body = (await res.json()) as Partial<DemoConfig>;
  return {
    users: Array.isArray(body.users) ? body.users.filter((u): u is string => typeof u === 'string') : [],
    conversation_id: typeof body.conversation_id === 'string' ? body.conversation_id : '',
  };
}

export async function fetchDemoToken(name: string): Promise<DemoToken> {
  const res = await request('/demo/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = (await res.json().catch(() => ({}))) as Partial<DemoToken> & {
    code?: string;
    detail?: string;
  };
  if (res.status === 404 && body.code === 'user:error:not-found') {
    throw new DemoLoginError(`There is no user called “${name}”.`);
  }
  if (!res.ok || typeof body.token !== 'string' || typeof body.expires_at !== 'number') {
    throw new DemoLoginError(body.detail ?? `Could not get a token for “${name}” (HTTP ${res.status}).`);
  }
  return { token: body.token, expires_at: body.expires_at };
}
