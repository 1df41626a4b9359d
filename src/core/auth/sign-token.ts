import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';

/** JWT claims; a claim set to `undefined` is left out, so callers can remove a default. */
export type TokenClaims = Record<string, unknown>;

export interface SignTokenOptions {
  /** Adds `exp` this many seconds after `iat` (a claim `exp` still wins). */
  ttlSeconds?: number;
  /** `iat` in seconds since the epoch; the current time by default. */
  now?: number;
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs `claims` as an RS256 JWT with `{"alg":"RS256","typ":"JWT"}`, adding `iat` and a fresh `jti` (as
 * nexmo-cli and @vonage/jwt do) before the caller's claims. The one signer for the CLI, demo mode, tests and
 * bench; the server verifies with jose. It is synchronous (node:crypto), so a load generator can sign in a loop
 * without awaiting.
 */
export function signToken(
  privateKey: KeyObject | string,
  claims: TokenClaims,
  options: SignTokenOptions = {},
): string {
  const iat = options.now ?? Math.floor(Date.now() / 1000);
  const payload: TokenClaims = { iat, jti: randomUUID() };
  if (options.ttlSeconds !== undefined) payload.exp = iat + options.ttlSeconds;
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined) delete payload[name];
    else payload[name] = value;
  }
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const input = `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}
