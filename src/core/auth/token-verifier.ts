import {
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  importSPKI,
  jwtVerify,
  type CryptoKey,
  type JWTPayload,
} from 'jose';
import { ParleyError } from '../../protocol/errors.js';
import type { ApplicationRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import type { Acl } from './acl.js';
import type { Principal } from './principal.js';

/** Tokens may outlive `exp` (and predate `iat`/`nbf`) by this much, to absorb clock skew. */
export const CLOCK_LEEWAY_S = 60;
export const MAX_LIFETIME_S = 24 * 60 * 60;
/** Lifetime of a token that carries no `exp`, as Vonage documents. */
export const DEFAULT_LIFETIME_S = 15 * 60;
/** Distinct ACLs remembered for sharing; past this they are forgotten, and merely stop being shared. */
const SHARED_ACLS = 256;

/**
 * Verifies Vonage-style application JWTs: RS256 only, signed by the key of the application the token names.
 * `kid`, `jku` and `x5u` are never consulted: the key always comes from our own store.
 *
 * Principals are held by every realtime session for its lifetime, so the parts that are the same for many
 * of them (the application record, the ACL) are shared objects rather than a copy each. Callers treat a
 * principal as read-only.
 */
export class TokenVerifier {
  private readonly keys = new Map<string, { pem: string; key: Promise<CryptoKey> }>();
  /** The latest record read of each application, handed out while it stays unchanged. */
  private readonly applications = new Map<string, ApplicationRecord>();
  /** ACLs by their JSON text. */
  private readonly acls = new Map<string, Acl>();

  constructor(private readonly store: Store) {}

  async verify(token: string, nowS = Math.floor(Date.now() / 1000)): Promise<Principal> {
    const applicationId = this.unverifiedApplicationId(token);
    const application = this.shareApplication(applicationId, await this.store.getApplication(applicationId));
    if (!application) throw new ParleyError('system:error:unknown-application');

    let payload;
    try {
      ({ payload } = await jwtVerify(token, await this.keyFor(application.id, application.publicKey), {
        algorithms: ['RS256'],
        clockTolerance: CLOCK_LEEWAY_S,
        currentDate: new Date(nowS * 1000),
      }));
    } catch (e) {
      throw mapJoseError(e);
    }

    if (typeof payload.iat !== 'number')
      throw new ParleyError('system:error:invalid-token', 'The token has no iat');
    if (payload.iat > nowS + CLOCK_LEEWAY_S) throw new ParleyError('system:error:token-not-yet-valid');
    const expiresAt = typeof payload.exp === 'number' ? payload.exp : payload.iat + DEFAULT_LIFETIME_S;
    if (expiresAt - payload.iat > MAX_LIFETIME_S) throw new ParleyError('system:error:token-lifetime');
    if (expiresAt + CLOCK_LEEWAY_S < nowS) throw new ParleyError('system:error:expired-token');

    const acl = this.shareAcl(payload.acl);
    let user = null;
    if (payload.sub !== undefined) {
      user = (await this.store.getUserByName(application.id, payload.sub)) ?? null;
      if (!user)
        throw new ParleyError(
          'system:error:unknown-user',
          `No user named "${payload.sub}" in this application`,
        );
    }
    return { application, user, acl, expiresAt };
  }

  private unverifiedApplicationId(token: string): string {
    let claims: JWTPayload;
    try {
      decodeProtectedHeader(token);
      claims = decodeJwt(token);
    } catch {
      throw new ParleyError('system:error:invalid-token', 'The token is not a JWT');
    }
    if (typeof claims.application_id !== 'string' || claims.application_id === '') {
      throw new ParleyError('system:error:unknown-application', 'The token has no application_id');
    }
    return claims.application_id;
  }

  private shareApplication(id: string, read: ApplicationRecord | undefined): ApplicationRecord | undefined {
    const known = this.applications.get(id);
    if (!read) {
      this.applications.delete(id);
      return undefined;
    }
    if (known && sameRecord(known, read)) return known;
    this.applications.set(id, read);
    return read;
  }

  private shareAcl(claim: unknown): Acl | null {
    if (claim === undefined) return null;
    const text = JSON.stringify(claim);
    const known = this.acls.get(text);
    if (known) return known;
    const acl = parseAcl(claim);
    if (this.acls.size >= SHARED_ACLS) this.acls.clear();
    this.acls.set(text, acl);
    return acl;
  }

  private keyFor(applicationId: string, pem: string): Promise<CryptoKey> {
    const cached = this.keys.get(applicationId);
    if (cached && cached.pem === pem) return cached.key;
    const key = importSPKI(pem, 'RS256');
    key.catch(() => this.keys.delete(applicationId));
    this.keys.set(applicationId, { pem, key });
    return key;
  }
}

function parseAcl(value: unknown): Acl {
  if (typeof value === 'object' && value !== null && 'paths' in value) {
    const paths = value.paths;
    if (typeof paths === 'object' && paths !== null && !Array.isArray(paths)) {
      const entries = Object.entries(paths as Record<string, unknown>);
      if (entries.every(([, rule]) => typeof rule === 'object' && rule !== null && !Array.isArray(rule))) {
        return { paths: Object.fromEntries(entries) as Acl['paths'] };
      }
    }
  }
  throw new ParleyError('system:error:invalid-token', 'The acl claim must be {"paths": {...}}');
}

/** Whether two flat records hold the same values. */
function sameRecord<T extends object>(a: T, b: T): boolean {
  const keys = Object.keys(a) as (keyof T)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function mapJoseError(e: unknown): ParleyError {
  if (e instanceof joseErrors.JWTExpired) return new ParleyError('system:error:expired-token');
  if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'nbf') {
    return new ParleyError('system:error:token-not-yet-valid');
  }
  if (e instanceof joseErrors.JOSEAlgNotAllowed) {
    return new ParleyError('system:error:invalid-token', 'Only RS256 tokens are accepted');
  }
  return new ParleyError('system:error:invalid-token');
}
