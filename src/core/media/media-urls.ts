import { createHmac, timingSafeEqual } from 'node:crypto';

/** Where representations are served; the id is a UUID. */
export const MEDIA_ROUTE = '/v3/media/';
const REF = /\/v3\/media\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?=[/?#]|$)/;

/** The representation id a Parley media URL names (whatever host it was written with), or undefined. */
export function representationIdIn(url: string): string | undefined {
  return REF.exec(url)?.[1];
}

/**
 * Signed, expiring capabilities for `<img src>`, which cannot send a bearer header: like a presigned S3 URL,
 * `?exp=<epoch seconds>&sig=<HMAC>` grants a GET of one representation until `exp`, to whoever holds it.
 */
export class MediaUrlSigner {
  constructor(private readonly key: Buffer) {}

  sign(representationId: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${representationId}.${expires}`).digest('base64url');
  }

  /** Whether `sig` was made here for this representation and `exp`, and `exp` is still ahead of `now`. */
  verify(representationId: string, exp: number, sig: string, nowSeconds: number): boolean {
    if (!Number.isSafeInteger(exp) || exp <= nowSeconds) return false;
    const expected = Buffer.from(this.sign(representationId, exp));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
