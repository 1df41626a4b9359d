import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SignJWT, importPKCS8, type JWTPayload } from 'jose';
import { UsageError, systemReason } from './errors.js';

/** Lifetime of the application tokens the CLI signs for its own `/v1` calls. */
export const APP_TOKEN_TTL_SECONDS = 300;

export type SigningKey = Awaited<ReturnType<typeof importPKCS8>>;

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Reads an RSA private key (PKCS#8, or the older PKCS#1) from a PEM file and imports it for RS256. */
export const readSigningKey = async (path: string): Promise<SigningKey> => {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read key file ${path}: ${systemReason(e)}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new UsageError(`key file ${path} does not hold a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new UsageError(
      `key file ${path} holds a ${key.asymmetricKeyType ?? 'non-RSA'} key; RS256 needs RSA`,
    );
  }
  return importPKCS8(key.export({ type: 'pkcs8', format: 'pem' }).toString(), 'RS256');
};

/** Signs `claims` as `{"alg":"RS256","typ":"JWT"}`, adding `iat` and a fresh `jti` as nexmo-cli did. */
export const signToken = (claims: JWTPayload, key: SigningKey): Promise<string> =>
  new SignJWT({ iat: nowSeconds(), jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .sign(key);

/** An application ("backend") token: no `sub`, so the server grants application-level rights. */
export const signAppToken = (applicationId: string, key: SigningKey): Promise<string> => {
  const iat = nowSeconds();
  return new SignJWT({
    application_id: applicationId,
    iat,
    jti: randomUUID(),
    exp: iat + APP_TOKEN_TTL_SECONDS,
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .sign(key);
};
