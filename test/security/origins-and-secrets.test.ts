import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pino from 'pino';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startParley } from '../../src/server/parley-server.js';
import { resolveServerConfig } from '../../src/server/config.js';
import { nativeClient } from '../support/realtime-clients.js';
import {
  API_SECRET,
  appToken,
  startTestServer,
  userToken,
  type TestApp,
  type TestServer,
} from '../support/test-server.js';

describe('the origin allow-list', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ allowedOrigins: ['https://chat.example'] });
  });
  afterAll(() => server.stop());

  const wsStatus = (origin: string) =>
    new Promise<number | 'open'>((resolve) => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, { headers: { origin } });
      ws.on('open', () => {
        ws.close();
        resolve('open');
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });

  it('lets allowed origins open the native transport and refuses others with 403', async () => {
    expect(await wsStatus('https://chat.example')).toBe('open');
    expect(await wsStatus('https://evil.example')).toBe(403);
  });

  it('refuses socket.io connections from other origins', async () => {
    const attempt = (origin: string) =>
      new Promise<string>((resolve) => {
        const socket = io(server.url, {
          path: '/rtc',
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
          extraHeaders: { origin },
        });
        socket.on('connect', () => {
          socket.disconnect();
          resolve('connected');
        });
        socket.on('connect_error', () => resolve('refused'));
      });
    expect(await attempt('https://chat.example')).toBe('connected');
    expect(await attempt('https://evil.example')).toBe('refused');
  });

  it('answers CORS for allowed origins only, preflight included', async () => {
    const ok = await fetch(`${server.url}/v1/users`, {
      method: 'OPTIONS',
      headers: { origin: 'https://chat.example', 'access-control-request-method': 'POST' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://chat.example');
    expect(ok.headers.get('access-control-allow-headers')).toContain('authorization');
    const evil = await fetch(`${server.url}/healthz`, { headers: { origin: 'https://evil.example' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('secrets', () => {
  it('stores only a hash of the API secret', async () => {
    const server = await startTestServer();
    try {
      await server.close();
      const db = new Database(`${server.dataDir}/parley.db`, { readonly: true });
      const rows = db.prepare('select key, value from settings').all() as { key: string; value: string }[];
      db.close();
      expect(rows.map((r) => r.key)).toContain('api_secret_hash');
      expect(JSON.stringify(rows)).not.toContain(API_SECRET);
    } finally {
      await server.stop();
    }
  });

  it('never writes tokens or secrets to the logs', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()),
    });
    const logger = pino({ level: 'trace', redact: ['req.headers.authorization'] }, sink);
    const base = await startTestServer();
    await base.close();
    const server = await startParley(
      {
        ...resolveServerConfig({ port: 0, host: '127.0.0.1', dataDir: base.dataDir, logLevel: 'trace' }, {}),
        apiKey: 'k',
        apiSecret: 'a-secret-value-1',
      },
      logger,
    );
    try {
      const res = await fetch(`${server.url}/v2/applications`, {
        headers: { authorization: `Basic ${Buffer.from('k:a-secret-value-1').toString('base64')}` },
      });
      expect(res.status).toBe(200);
      const forged = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
      await fetch(`${server.url}/v1/users`, { headers: { authorization: `Bearer ${forged}` } });
      const ws = await nativeClient(server.url);
      await ws.request('session:login', { body: { token: forged } });
      ws.close();
      const all = lines.join('');
      expect(all.length).toBeGreaterThan(0);
      expect(all).not.toContain(forged);
      expect(all).not.toContain('a-secret-value-1');
      expect(all).not.toContain(Buffer.from('k:a-secret-value-1').toString('base64'));
    } finally {
      await server.close();
    }
  });
});

describe('logout', () => {
  let server: TestServer;
  let app: TestApp;
  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp();
    await server.call('POST', '/v1/users', { token: await appToken(app), body: { name: 'leaver' } });
  });
  afterAll(() => server.stop());

  it('answers session:logout and closes the connection', async () => {
    const c = await nativeClient(server.url);
    await c.request('session:login', { body: { token: await userToken(app, 'leaver') } });
    expect((await c.request('session:logout', { body: {} })).type).toBe('session:logged-out');
    expect((await c.closed).code).toBe(1000);
    expect(server.hub.sessionCount).toBe(0);
  });
});
