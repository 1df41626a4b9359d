import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { ParleyError } from '../../protocol/errors.js';
import type { Store } from '../../store/store.js';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

const KEY_SETTING = 'api_key';
const HASH_SETTING = 'api_secret_hash';

export interface ProvisionResult {
  apiKey: string;
  /** Present only when the secret was generated now: it is shown once and stored hashed. */
  generatedSecret?: string;
}

/** The account-level API key and secret that guard `/v2/applications`. Only a salted scrypt hash is kept. */
export class ApiCredentials {
  private apiKey: string | undefined;
  private hash: string | undefined;

  constructor(private readonly store: Store) {}

  /** Uses the given credentials, or the stored ones, or generates a pair on first start. */
  async provision(given: {
    apiKey?: string | undefined;
    apiSecret?: string | undefined;
  }): Promise<ProvisionResult> {
    if (given.apiKey && given.apiSecret) {
      await this.save(given.apiKey, given.apiSecret);
      return { apiKey: given.apiKey };
    }
    const [key, hash] = await Promise.all([
      this.store.getSetting(KEY_SETTING),
      this.store.getSetting(HASH_SETTING),
    ]);
    if (key && hash) {
      this.apiKey = key;
      this.hash = hash;
      return { apiKey: key };
    }
    const apiKey = randomBytes(4).toString('hex');
    const generatedSecret = randomBytes(12).toString('base64url');
    await this.save(apiKey, generatedSecret);
    return { apiKey, generatedSecret };
  }

  /** Checks an `Authorization: Basic …` header value. */
  async check(authorization: string | undefined): Promise<void> {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '');
    const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0 || !this.apiKey || !this.hash) throw new ParleyError('system:error:invalid-credentials');
    const key = decoded.slice(0, colon);
    const ok = safeEqual(key, this.apiKey) && (await verifySecret(decoded.slice(colon + 1), this.hash));
    if (!ok) throw new ParleyError('system:error:invalid-credentials');
  }

  private async save(apiKey: string, secret: string): Promise<void> {
    const hash = await hashSecret(secret);
    await this.store.transaction(async (tx) => {
      await tx.putSetting(KEY_SETTING, apiKey);
      await tx.putSetting(HASH_SETTING, hash);
    });
    this.apiKey = apiKey;
    this.hash = hash;
  }
}

async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const derived = await scryptAsync(secret, salt, 32);
  return `scrypt$${salt.toString('base64url')}$${derived.toString('base64url')}`;
}

async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, salt, expected] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !expected) return false;
  const derived = await scryptAsync(secret, Buffer.from(salt, 'base64url'), 32);
  return timingSafeEqual(derived, Buffer.from(expected, 'base64url'));
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
