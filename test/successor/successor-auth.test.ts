import { generateKeyPairSync } from 'node:crypto';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUCCESSOR_ACL, successorToken, tutorialRoom } from '../support/successor.js';
import { signToken, startTestServer, type TestApp, type TestServer } from '../support/test-server.js';
import { vonageClient } from '../support/vonage-client.js';

const PREFIXES = ['/v0.3', '/v0.2', '/beta', '/beta2'] as const;
const ALLOWED_ORIGIN = 'https://chat.example.com';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Connects to `/v2/rtc` as the SDKs do and resolves with the first event the server pushes. */
function firstV2Event(
  baseUrl: string,
  token: string,
): Promise<{ type: string; payload: unknown; disconnected: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = io(baseUrl, {
      path: '/v2/rtc',
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      query: { token, SDK_name: '@vonage/client-sdk' },
    });
    const disconnected = new Promise<string>((done) => socket.on('disconnect', (reason) => done(reason)));
    socket.onAny((type: string, payload: unknown) => {
      resolve({ type, payload, disconnected });
      socket.offAny();
    });
    socket.on('connect_error', reject);
  });
}

describe('successor SDK auth: tokens, ACL paths and CORS', () => {
  let server: TestServer;
  let app: TestApp;
  let cid: string;
  const bad: Record<string, () => Promise<string>> = {};

  beforeAll(async () => {
    server = await startTestServer({ allowedOrigins: [ALLOWED_ORIGIN] });
    app = await server.createApp('auth');
    ({ cid } = await tutorialRoom(server, app, ['alice']));
    const now = Math.floor(Date.now() / 1000);
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    bad.expired = () => successorToken(app, 'alice', { iat: now - 600, exp: now - 120 });
    bad['signed by another key'] = () => successorToken({ ...app, privateKey }, 'alice');
    bad['alg none'] = () =>
      Promise.resolve(
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ application_id: app.id, sub: 'alice', iat: now, exp: now + 60, acl: SUCCESSOR_ACL })}.`,
      );
  });
  afterAll(() => server.stop());

  it('says session:success first to a good token on /v2/rtc', async () => {
    const first = await firstV2Event(server.url, await successorToken(app, 'alice'));
    expect(first.type).toBe('session:success');
    expect(first.payload).toMatchObject({ body: { user_id: expect.stringMatching(/^USR-/), name: 'alice' } });
    expect((first.payload as { body: { api_key: unknown } }).body.api_key).toEqual(expect.any(String));
  });

  for (const kind of ['expired', 'signed by another key', 'alg none']) {
    it(`refuses a token ${kind} on /v2/rtc with the error event, then disconnects`, async () => {
      const first = await firstV2Event(server.url, await bad[kind]!());
      expect(first.type).toBe(
        kind === 'expired' ? 'system:error:expired-token' : 'system:error:invalid-token',
      );
      expect(await first.disconnected).toBe('io server disconnect');
    });

    it(`refuses a token ${kind} on every successor REST prefix`, async () => {
      const token = await bad[kind]!();
      for (const prefix of PREFIXES) {
        const res = await server.call('GET', `${prefix}/conversations/${cid}`, { token });
        expect(res.status, prefix).toBe(401);
      }
    });
  }

  it('rejects the Vonage SDK session of an expired token as an expired session', async () => {
    const client = vonageClient(server.url);
    await expect(client.createSession(await bad.expired!())).rejects.toMatchObject({
      code: 'session:error:expired-token',
    });
  });

  it('rejects the Vonage SDK session of a forged token as an invalid token', async () => {
    const client = vonageClient(server.url);
    await expect(client.createSession(await bad['signed by another key']!())).rejects.toMatchObject({
      code: 'session:error:invalid-token',
    });
  });

  it('accepts /*/conversations/** ACLs on every prefix and refuses paths the ACL lacks', async () => {
    const token = await successorToken(app, 'alice');
    for (const prefix of PREFIXES) {
      const res = await server.call('GET', `${prefix}/conversations/${cid}`, { token });
      expect(res.status, prefix).toBe(200);
    }
    const usersOnly = await signToken(app, { sub: 'alice', acl: { paths: { '/*/users/**': {} } } });
    expect((await server.call('GET', `/v0.3/users/me`, { token: usersOnly })).status).toBe(200);
    const refused = await server.call('GET', `/v0.3/conversations/${cid}`, { token: usersOnly });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('system:error:forbidden-path');
    // A Stitch-era ACL names /v1 only.
    const stitchEra = await signToken(app, { sub: 'alice', acl: { paths: { '/v1/conversations/**': {} } } });
    expect(
      (await server.call('GET', `/beta2/conversations/${cid}/events`, { token: stitchEra })).status,
    ).toBe(403);
  });

  it('answers CORS preflights on the successor prefixes for allowed origins only', async () => {
    for (const prefix of PREFIXES) {
      const preflight = (origin: string) =>
        fetch(`${server.url}${prefix}/conversations/${cid}/events`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization,content-type',
          },
        });
      const allowed = await preflight(ALLOWED_ORIGIN);
      expect(allowed.status, prefix).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      expect(allowed.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
      const other = await preflight('https://evil.example.com');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('refuses /v2/rtc to a page from an origin not allowed', async () => {
    const socket = io(server.url, {
      path: '/v2/rtc',
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      query: { token: await successorToken(app, 'alice') },
      extraHeaders: { origin: 'https://evil.example.com' },
    });
    await new Promise<void>((resolve) => socket.on('connect_error', () => resolve()));
    socket.close();
  });

  it('takes the reconnect metrics the SDKs post under /v2/rtc', async () => {
    const res = await fetch(`${server.url}/v2/rtc/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ body: { sessionId: 'SESSION-x', metrics: [] } }),
    });
    expect(res.status).toBe(204);
  });

  it('counts /v2/rtc connections in the metrics', async () => {
    const first = await firstV2Event(server.url, await successorToken(app, 'alice'));
    expect(first.type).toBe('session:success');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/parley_realtime_connections\{transport="v2"\} [1-9]/);
  });
});
