import { SignJWT, importPKCS8 } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRsaKeyPair } from '../../src/core/auth/rsa-key-pair.js';
import { TokenVerifier } from '../../src/core/auth/token-verifier.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { newApplication, newUser } from '../store/store-contract.js';

const ACL = { paths: { '/*/users/**': {}, '/*/conversations/**': { methods: ['GET'] } } };

describe('TokenVerifier', () => {
  let store: Store;
  let sign: (claims: Record<string, unknown>) => Promise<string>;
  let applicationId: string;

  beforeAll(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    const { publicKey, privateKey } = generateRsaKeyPair();
    const app = await store.createApplication(newApplication({ publicKey }));
    applicationId = app.id;
    await store.createUser(newUser(app.id, { name: 'ann' }));
    await store.createUser(newUser(app.id, { name: 'ben' }));
    const key = await importPKCS8(privateKey, 'RS256');
    sign = (claims) =>
      new SignJWT({ application_id: applicationId, ...claims })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key);
  });

  afterAll(() => store.close());

  it('gives every principal of an application one shared application record and ACL', async () => {
    const verifier = new TokenVerifier(store);
    const ann = await verifier.verify(await sign({ sub: 'ann', acl: ACL }));
    const ben = await verifier.verify(await sign({ sub: 'ben', acl: structuredClone(ACL) }));
    expect(ann.user?.name).toBe('ann');
    expect(ben.user?.name).toBe('ben');
    expect(ben.application).toBe(ann.application);
    expect(ben.application.id).toBe(applicationId);
    expect(ben.acl).toBe(ann.acl);
    expect(ann.acl).toEqual(ACL);
  });

  it('keeps a different ACL, or none, apart', async () => {
    const verifier = new TokenVerifier(store);
    const full = await verifier.verify(await sign({ sub: 'ann', acl: ACL }));
    const narrow = await verifier.verify(await sign({ sub: 'ann', acl: { paths: { '/*/users/**': {} } } }));
    const unrestricted = await verifier.verify(await sign({ sub: 'ann' }));
    expect(narrow.acl).toEqual({ paths: { '/*/users/**': {} } });
    expect(narrow.acl).not.toBe(full.acl);
    expect(unrestricted.acl).toBeNull();
  });

  it('still refuses a malformed ACL every time it is presented', async () => {
    const verifier = new TokenVerifier(store);
    const token = await sign({ sub: 'ann', acl: { paths: ['/v1/**'] } });
    for (let i = 0; i < 2; i++)
      await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'system:error:invalid-token' });
  });
});
