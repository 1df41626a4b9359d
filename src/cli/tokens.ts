import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { signToken, type TokenClaims } from '../core/auth/sign-token.js';
import { UsageError, systemReason } from './errors.js';

/** Lifetime of the application tokens the CLI signs for its own `/v1` calls. */
export const APP_TOKEN_TTL_SECONDS = 300;

export type SigningKey = KeyObject;

/** Reads an RSA private key (PKCS#8, or the older PKCS#1) from a PEM file, for RS256. */
export const readSigningKey = async (path: string): Promise<SigningKey> => {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError('cli:error:key-file', `cannot read key file ${path}: ${systemReason(e)}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new UsageError('cli:error:key-file', `key file ${path} does not hold a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new UsageError(
      'cli:error:key-file',
      `key file ${path} holds a ${key.asymmetricKeyType ?? 'non-RSA'} key; RS256 needs RSA`,
    );
  }
  return key;
};

/** A user token for `jwt:generate`: `iat` and a fresh `jti` as nexmo-cli added, then the given claims. */
export const signUserToken = (claims: TokenClaims, key: SigningKey): string => signToken(key, claims);

/** An application ("backend") token: no `sub`, so the server grants application-level rights. */
export const signAppToken = (applicationId: string, key: SigningKey): string =>
  signToken(key, { application_id: applicationId }, { ttlSeconds: APP_TOKEN_TTL_SECONDS });
