import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { WebhookClaims } from '../../protocol/webhooks.js';

/*
 * `iss` is "Vonage" because receivers written for Vonage may check it; Parley stands in for Vonage there.
 */
const ISSUER = 'Vonage';

/** Signs webhook bodies as Vonage does: an HS256 JWT over claims that carry the body's SHA-256. */
export class WebhookSigner {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly apiKey: string,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /** The `Authorization` header value for a request whose body is exactly `body`. */
  async authorization(applicationId: string, body: string, now = Date.now()): Promise<string> {
    const claims: WebhookClaims = {
      iat: Math.floor(now / 1000),
      jti: randomUUID(),
      iss: ISSUER,
      application_id: applicationId,
      api_key: this.apiKey,
      payload_hash: payloadHash(body),
    };
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(this.key);
    return `Bearer ${token}`;
  }
}

/** Hex SHA-256 of the body's UTF-8 bytes: what a receiver compares with the `payload_hash` claim. */
export const payloadHash = (body: string): string => createHash('sha256').update(body, 'utf8').digest('hex');
