import { generateKeyPairSync } from 'node:crypto';

export interface RsaKeyPair {
  /** SPKI PEM, as an application registers it. */
  publicKey: string;
  /** PKCS#8 PEM, as `app:create` writes it to the key file. */
  privateKey: string;
}

/** A fresh 2048-bit RSA key pair for an application's RS256 tokens. */
export const generateRsaKeyPair = (): RsaKeyPair =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
