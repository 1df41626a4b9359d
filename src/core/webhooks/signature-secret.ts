import { randomBytes } from 'node:crypto';
import type { Store } from '../../store/store.js';

const SETTING = 'signature_secret';

export interface ProvisionedSecret {
  secret: string;
  /** True when it was generated on this start: shown once to the operator. */
  generated: boolean;
}

/**
 * The account-wide webhook signature secret: the given one, else the stored one, else a new one. Unlike the
 * API secret it is stored as is, since signing needs it (HS256 is symmetric).
 */
export async function provisionSignatureSecret(
  store: Store,
  given: string | undefined,
): Promise<ProvisionedSecret> {
  if (given !== undefined) {
    await store.putSetting(SETTING, given);
    return { secret: given, generated: false };
  }
  const stored = await store.getSetting(SETTING);
  if (stored !== undefined) return { secret: stored, generated: false };
  const secret = randomBytes(32).toString('base64url');
  await store.putSetting(SETTING, secret);
  return { secret, generated: true };
}
