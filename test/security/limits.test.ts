import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nativeClient, socketIoClient, type RawClient } from '../support/realtime-clients.js';
import {
  appToken,
  startTestServer,
  TestClock,
  userToken,
  type TestApp,
  type TestServer,
} from '../support/test-server.js';

describe('limits', () => {
  let server: TestServer;
  let app: TestApp;
  let cid: string;
  const clients: RawClient[] = [];
  const clock = new TestClock();

  beforeAll(async () => {
    server = await startTestServer(
      {
        maxTextBytes: 1000,
        maxFrameBytes: 4096,
        rateLimit: 20,
        userRateLimit: 1000,
        maxSessions: 3,
        maxBufferBytes: 64 * 1024,
      },
      { clock },
    );
    app = await server.createApp();
    ({ cid } = await server.createRoom(app, ['amy', 'bob', 'cal', 'dan', 'eve']));
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  const login = async (name: string, kind: 'native' | 'sio' = 'native') => {
    const c = kind === 'native' ? await nativeClient(server.url) : await socketIoClient(server.url);
    clients.push(c);
    const reply = await c.request('session:login', { body: { token: await userToken(app, name) } });
    return { c, reply };
  };

  it('refuses a text over the size limit with a clear error and keeps the connection', async () => {
    for (const kind of ['native', 'sio'] as const) {
      const { c } = await login('amy', kind);
      const big = await c.request('text', { cid, body: { text: 'x'.repeat(1001) } });
      expect(big.type).toBe('system:error:too-large');
      expect((await c.request('text', { cid, body: { text: 'small' } })).type).toBe('text:success');
      c.close();
    }
  });

  it('refuses a frame over the frame limit and keeps the connection', async () => {
    for (const kind of ['native', 'sio'] as const) {
      const { c } = await login('amy', kind);
      const reply = await c.request('text', { cid, body: { text: 'y'.repeat(900), pad: 'z'.repeat(5000) } });
      expect(reply.type).toBe('system:error:too-large');
      expect((await c.request('user:conversations')).type).toBe('user:conversations:success');
      c.close();
    }
  });

  it('rate-limits a connection with retry_after, and it recovers', async () => {
    const { c } = await login('bob');
    const replies = await Promise.all(
      Array.from({ length: 80 }, () => c.request('text:typing:on', { cid, body: {} })),
    );
    const limited = replies.filter((r) => r.type === 'system:error:rate-limited');
    expect(limited.length).toBeGreaterThan(0);
    expect((limited[0]!.body as { retry_after: number }).retry_after).toBeGreaterThan(0);
    // A second later the bucket has refilled.
    clock.advance(1000);
    expect((await c.request('text:typing:off', { cid, body: {} })).type).toBe('text:typing:off:success');
    c.close();
  });

  it("refuses a connection over its own limit without using up its user's allowance elsewhere", async () => {
    const strict = await startTestServer({ rateLimit: 1, userRateLimit: 2 });
    try {
      const a = await strict.createApp();
      const { cid: room } = await strict.createRoom(a, ['fay']);
      const token = await userToken(a, 'fay');
      const hasty = await nativeClient(strict.url);
      const calm = await nativeClient(strict.url);
      clients.push(hasty, calm);
      await hasty.request('session:login', { body: { token } });
      await calm.request('session:login', { body: { token } });
      // One connection token is left on `hasty`: one request passes, the rest are refused by its own limit.
      const replies = await Promise.all(
        Array.from({ length: 40 }, () => hasty.request('text:typing:on', { cid: room, body: {} })),
      );
      expect(replies.filter((r) => r.type === 'system:error:rate-limited')).toHaveLength(39);
      // The user's allowance (a burst of 4) paid for one of those requests only.
      expect((await calm.request('text:typing:off', { cid: room, body: {} })).type).toBe(
        'text:typing:off:success',
      );
    } finally {
      await strict.stop();
    }
  });

  it('caps the live sessions of one user', async () => {
    const sessions = [await login('cal'), await login('cal'), await login('cal')];
    for (const s of sessions) expect(s.reply.type).toBe('session:success');
    const fourth = await login('cal');
    expect(fourth.reply.type).toBe('session:error:too-many-sessions');
    const cal = (sessions[0]!.reply.body as { user_id: string }).user_id;
    sessions[0]!.c.close();
    await sessions[0]!.c.closed;
    // The server lets the session go when it sees the socket close, which may be just after the client does.
    await vi.waitFor(() => expect(server.hub.sessionsOf(cal).size).toBe(2));
    expect((await login('cal')).reply.type).toBe('session:success');
  });

  it('drops a consumer that stops reading, without disturbing the others', async () => {
    const roomy = await startTestServer({
      maxTextBytes: 64 * 1024,
      maxFrameBytes: 128 * 1024,
      maxBufferBytes: 256 * 1024,
      rateLimit: 1000,
    });
    try {
      const a = await roomy.createApp();
      const { cid: room, userIds } = await roomy.createRoom(a, ['s', 'h', 'z']);
      const sender = await nativeClient(roomy.url);
      const healthy = await nativeClient(roomy.url);
      clients.push(sender, healthy);
      await sender.request('session:login', { body: { token: await userToken(a, 's') } });
      await healthy.request('session:login', { body: { token: await userToken(a, 'h') } });
      const slow = new WebSocket(`${roomy.url.replace('http', 'ws')}/ws`);
      await new Promise((r) => slow.once('open', r));
      slow.send(
        JSON.stringify({ type: 'session:login', tid: 'l', body: { token: await userToken(a, 'z') } }),
      );
      await new Promise((r) => slow.once('message', r));
      const closed = new Promise<number>((r) => slow.once('close', (code) => r(code)));
      // Stop reading: the kernel buffers fill, then the server's queue for this socket grows past its cap.
      (slow as unknown as { _socket: { pause(): void } })._socket.pause();
      const text = 'm'.repeat(60 * 1024);
      let last = 0;
      for (let i = 0; i < 400 && slow.readyState === WebSocket.OPEN; i++) {
        const ack = await sender.request('text', { cid: room, body: { text } });
        last = (ack.body as { id: number }).id;
        await healthy.waitFor((m) => m.type === 'text' && m.id === last);
        if (roomy.hub.sessionsOf(userIds.get('z')!).size === 0) break;
      }
      expect(roomy.hub.sessionCount).toBe(2);
      (slow as unknown as { _socket: { resume(): void } })._socket.resume();
      expect(await closed).toBeGreaterThan(1000);
      const after = await sender.request('text', { cid: room, body: { text: 'still here' } });
      await healthy.waitFor((m) => m.type === 'text' && m.id === (after.body as { id: number }).id);
    } finally {
      await roomy.stop();
    }
  }, 60_000);

  it('answers REST bodies over the limit with 413 and too many REST requests with 429', async () => {
    const limited = await startTestServer({ userRateLimit: 5, appRateLimit: 5 });
    try {
      const a = await limited.createApp();
      const token = await appToken(a);
      const statuses = await Promise.all(
        Array.from({ length: 30 }, () =>
          limited.call('GET', '/v1/users', { token }).then(async (r) => ({
            status: r.status,
            retry: r.headers.get('retry-after'),
            body: await r.json(),
          })),
        ),
      );
      const refused = statuses.filter((s) => s.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]!.body.code).toBe('system:error:rate-limited');
      expect(Number(refused[0]!.retry)).toBeGreaterThan(0);
    } finally {
      await limited.stop();
    }
  });
});
