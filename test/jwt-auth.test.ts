import { createHmac, randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRsaKeyPair } from '../src/core/auth/rsa-key-pair.js';
import {
  appToken,
  signToken,
  startTestServer,
  userToken,
  type TestApp,
  type TestServer,
} from './support/test-server.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('JWT authentication on /v1', () => {
  let server: TestServer;
  let app: TestApp;
  let other: TestApp;
  let conversationId: string;
  let otherConversationId: string;

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp('Simple Chat');
    other = await server.createApp('Another App');
    ({ cid: conversationId } = await server.createRoom(app, ['John'], {
      display_name: 'Old School Chat',
      outsiders: ['Kevin'],
    }));
    const otherConv = await (
      await server.call('POST', '/v1/conversations', { token: await appToken(other), body: {} })
    ).json();
    otherConversationId = otherConv.id;
  });

  afterAll(() => server.stop());

  const expectRefusal = async (token: string | undefined, path: string, status: number, code: string) => {
    const res = await server.call('GET', path, token === undefined ? {} : { token });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.json();
    expect(body.code).toBe(code);
    expect(typeof body.detail).toBe('string');
    expect(JSON.stringify(body)).not.toMatch(/at .*\.js:\d+/);
  };

  it('accepts the tutorial user token for a conversation the user is in', async () => {
    const res = await server.call('GET', `/v1/conversations/${conversationId}`, {
      token: await userToken(app, 'John'),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).display_name).toBe('Old School Chat');
  });

  it('refuses a request without a token', () =>
    expectRefusal(undefined, '/v1/users', 401, 'system:error:missing-token'));

  it('refuses a token signed by another key', async () => {
    const { privateKey } = generateRsaKeyPair();
    const forged = await signToken({ ...app, privateKey });
    await expectRefusal(forged, '/v1/users', 401, 'system:error:invalid-token');
  });

  it('refuses alg none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ application_id: app.id, iat: now, exp: now + 60 })}.`;
    await expectRefusal(token, '/v1/users', 401, 'system:error:invalid-token');
  });

  it('refuses HS256 signed with the application public key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ application_id: app.id, iat: now, exp: now + 60, jti: randomUUID() })}`;
    const sig = createHmac('sha256', app.publicKey).update(input).digest('base64url');
    await expectRefusal(`${input}.${sig}`, '/v1/users', 401, 'system:error:invalid-token');
  });

  it('refuses an expired token, beyond the leeway', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefusal(
      await signToken(app, { iat: now - 600, exp: now - 120 }),
      '/v1/users',
      401,
      'system:error:expired-token',
    );
  });

  it('accepts a token that expired within the 60 s leeway', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await server.call('GET', '/v1/users', {
      token: await signToken(app, { iat: now - 600, exp: now - 30 }),
    });
    expect(res.status).toBe(200);
  });

  it('refuses a token that is not valid yet', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefusal(
      await signToken(app, { nbf: now + 600 }),
      '/v1/users',
      401,
      'system:error:token-not-yet-valid',
    );
    await expectRefusal(
      await signToken(app, { iat: now + 600, exp: now + 1200 }),
      '/v1/users',
      401,
      'system:error:token-not-yet-valid',
    );
  });

  it('refuses a token living longer than 24 hours', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefusal(
      await signToken(app, { exp: now + 86_400 + 120 }),
      '/v1/users',
      401,
      'system:error:token-lifetime',
    );
  });

  it('refuses a token naming an unknown application', async () => {
    await expectRefusal(
      await signToken(app, { application_id: randomUUID() }),
      '/v1/users',
      401,
      'system:error:unknown-application',
    );
  });

  it('refuses a token whose sub names no user', async () => {
    await expectRefusal(
      await signToken(app, { sub: 'Nobody' }),
      '/v1/users/x',
      401,
      'system:error:unknown-user',
    );
  });

  it("refuses a path outside the token's ACL", async () => {
    const token = await signToken(app, { sub: 'John', acl: { paths: { '/v1/users/**': {} } } });
    await expectRefusal(token, `/v1/conversations/${conversationId}`, 403, 'system:error:forbidden-path');
  });

  it('honours ACL method lists', async () => {
    const token = await signToken(app, { acl: { paths: { '/v1/users': { methods: ['POST'] } } } });
    await expectRefusal(token, '/v1/users', 403, 'system:error:forbidden-path');
  });

  it('refuses a user reading a conversation they are not in', async () => {
    await expectRefusal(
      await userToken(app, 'Kevin'),
      `/v1/conversations/${conversationId}`,
      403,
      'conversation:error:not-member',
    );
  });

  it("refuses one application's token on another's data", async () => {
    await expectRefusal(
      await appToken(app),
      `/v1/conversations/${otherConversationId}`,
      403,
      'system:error:cross-application',
    );
  });

  it('refuses users acting as the application', async () => {
    await expectRefusal(await userToken(app, 'John'), '/v1/users', 403, 'system:error:forbidden');
  });

  it('ignores kid, jku and x5u headers when choosing the key', async () => {
    const key = await importPKCS8(app.privateKey, 'RS256');
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ application_id: app.id, iat: now, exp: now + 60 })
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'JWT',
        kid: 'other',
        jku: 'http://127.0.0.1:1/jwks',
        x5u: 'http://127.0.0.1:1/x5u',
      })
      .sign(key);
    expect((await server.call('GET', '/v1/users', { token })).status).toBe(200);
  });
});
