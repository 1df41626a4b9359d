import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeClient, socketIoClient, type RawClient } from '../support/realtime-clients.js';
import {
  appToken,
  signToken,
  startTestServer,
  TestClock,
  userToken,
  type TestApp,
  type TestServer,
} from '../support/test-server.js';

describe('realtime chat over both transports', () => {
  let server: TestServer;
  let app: TestApp;
  let cid: string;
  const members: Record<string, string> = {};
  const clients: RawClient[] = [];
  const clock = new TestClock();

  beforeAll(async () => {
    server = await startTestServer({}, { clock });
    app = await server.createApp();
    const room = await server.createRoom(app, ['ann', 'ben', 'cat'], {
      display_name: 'Room',
      outsiders: ['stranger'],
    });
    cid = room.cid;
    Object.assign(members, Object.fromEntries(room.memberIds));
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  const login = async (kind: 'native' | 'sio', name: string) => {
    const client = kind === 'native' ? await nativeClient(server.url) : await socketIoClient(server.url);
    clients.push(client);
    const reply = await client.request('session:login', { body: { token: await userToken(app, name) } });
    expect(reply.type).toBe('session:success');
    return client;
  };

  it('logs in, lists conversations and reads the conversation with its members', async () => {
    const ann = await login('native', 'ann');
    const convs = await ann.request('user:conversations');
    expect(convs.type).toBe('user:conversations:success');
    expect(convs.body).toEqual([
      expect.objectContaining({ id: cid, member_id: members.ann, state: 'JOINED' }),
    ]);
    const got = await ann.request('conversation:get', { cid, body: {} });
    expect(got.type).toBe('conversation:get:success');
    const body = got.body as {
      members: { member_id: string; user_id: string; name: string; timestamp: { joined: string } }[];
    };
    expect(body.members.map((m) => m.name).sort()).toEqual(['ann', 'ben', 'cat']);
    expect(body.members[0]!.timestamp.joined).toBeDefined();
  });

  it('acknowledges a text with its id after commit and fans it out to every joined session, sender included', async () => {
    const ann = await login('native', 'ann');
    const ben = await login('sio', 'ben');
    const cat = await login('native', 'cat');
    const sent = await ann.request('text', { cid, from: members.ann, body: { text: 'hello all' } });
    expect(sent.type).toBe('text:success');
    const { id } = sent.body as { id: number };
    expect(typeof id).toBe('number');
    for (const c of [ann, ben, cat]) {
      const e = await c.waitFor((m) => m.type === 'text' && m.id === id);
      expect(e).toMatchObject({ cid, from: members.ann, body: { text: 'hello all' } });
    }
  });

  it('delivers every event once and in id order to every session under concurrent senders', async () => {
    const [ann, ben, cat] = [
      await login('native', 'ann'),
      await login('sio', 'ben'),
      await login('native', 'cat'),
    ];
    const watchers = [ann, ben, cat];
    const start = watchers.map((c) => c.pushed.length);
    const sends = [];
    for (let i = 0; i < 30; i++) {
      for (const [c, name] of [
        [ann, 'ann'],
        [ben, 'ben'],
        [cat, 'cat'],
      ] as const) {
        sends.push(c.request('text', { cid, from: members[name], body: { text: `${name}-${i}` } }));
      }
    }
    const acks = await Promise.all(sends);
    const ids = acks.map((a) => (a.body as { id: number }).id).sort((a, b) => a - b);
    expect(new Set(ids).size).toBe(90);
    expect(ids[89]! - ids[0]!).toBe(89);
    for (const [i, c] of watchers.entries()) {
      await c.waitFor((m) => m.type === 'text' && m.id === ids[89]);
      const seen = c.pushed
        .slice(start[i])
        .filter((m) => m.type === 'text')
        .map((m) => m.id!);
      expect(seen).toEqual(ids);
    }
  });

  it('returns the original event when a send is retried with the same client reference', async () => {
    const ann = await login('native', 'ann');
    const first = await ann.request('text', {
      cid,
      from: members.ann,
      body: { text: 'once' },
      client_ref: 'ref-1',
    });
    const again = await ann.request('text', {
      cid,
      from: members.ann,
      body: { text: 'once' },
      client_ref: 'ref-1',
    });
    expect((again.body as { id: number }).id).toBe((first.body as { id: number }).id);
  });

  it('shares typing indicators without storing them', async () => {
    const ann = await login('native', 'ann');
    const ben = await login('sio', 'ben');
    expect(
      (await ann.request('text:typing:on', { cid, from: members.ann, body: { activity: 1 } })).type,
    ).toBe('text:typing:on:success');
    const typing = await ben.waitFor((m) => m.type === 'text:typing:on' && m.from === members.ann);
    expect(typing.id).toBeUndefined();
  });

  it('refuses requests from non-members, forged senders and anonymous sockets', async () => {
    const stranger = await login('native', 'stranger');
    expect((await stranger.request('text', { cid, body: { text: 'let me in' } })).type).toBe(
      'conversation:error:not-member',
    );
    expect((await stranger.request('conversation:get', { cid, body: {} })).type).toBe(
      'conversation:error:not-member',
    );
    expect((await stranger.request('conversation:events', { cid })).type).toBe(
      'conversation:error:not-member',
    );
    const ann = await login('native', 'ann');
    const forged = await ann.request('text', { cid, from: members.ben, body: { text: 'I am ben' } });
    expect(forged).toMatchObject({ type: 'event:error:invalid-from', code: 'event:error:invalid-from' });
    expect(typeof forged.description).toBe('string');
    const anon = await nativeClient(server.url);
    clients.push(anon);
    expect((await anon.request('text', { cid, body: { text: 'x' } })).type).toBe(
      'session:error:not-logged-in',
    );
    expect((await anon.request('no:such:thing')).type).toBe('system:error:unknown-request');
  });

  it('refuses an application token and an expired token at login', async () => {
    const c = await nativeClient(server.url);
    clients.push(c);
    expect((await c.request('session:login', { body: { token: await appToken(app) } })).type).toBe(
      'session:error:user-required',
    );
    const now = Math.floor(Date.now() / 1000);
    const expired = await signToken(app, { sub: 'ann', iat: now - 1000, exp: now - 500 });
    expect((await c.request('session:login', { body: { token: expired } })).type).toBe(
      'system:error:expired-token',
    );
  });

  it('ends a session when its token expires, with system:error:expired-token', async () => {
    // Token times on the server's clock, which earlier tests may have moved on.
    const now = Math.floor(clock.now() / 1000);
    const c = await nativeClient(server.url);
    clients.push(c);
    const token = await signToken(app, { sub: 'ann', iat: now - 100, exp: now + 1 });
    expect((await c.request('session:login', { body: { token } })).type).toBe('session:success');
    clock.advance(2000);
    await c.waitFor((m) => m.type === 'system:error:expired-token');
    expect((await c.closed).code).toBe(4001);
  });

  it('renews a session with session:update-token', async () => {
    // Token times on the server's clock, which earlier tests may have moved on.
    const now = Math.floor(clock.now() / 1000);
    const c = await nativeClient(server.url);
    clients.push(c);
    await c.request('session:login', {
      body: { token: await signToken(app, { sub: 'ann', iat: now, exp: now + 2 }) },
    });
    const renewed = await c.request('session:update-token', {
      body: { token: await signToken(app, { sub: 'ann', exp: now + 600 }) },
    });
    expect(renewed.type).toBe('session:update-token:success');
    const wrongUser = await c.request('session:update-token', {
      body: { token: await userToken(app, 'ben') },
    });
    expect(wrongUser.type).toBe('session:error:wrong-user');
    // Past the first token's expiry: the renewed one keeps the session.
    clock.advance(2500);
    expect((await c.request('user:conversations')).type).toBe('user:conversations:success');
    expect(c.pushed.filter((m) => m.type === 'system:error:expired-token')).toEqual([]);
  });

  it('lets a user create a conversation, read it before joining, join, invite and leave', async () => {
    const ann = await login('sio', 'ann');
    const ben = await login('native', 'ben');
    const created = await ann.request('new:conversation', { body: { display_name: 'Side room' } });
    const newCid = (created.body as { id: string }).id;
    expect((await ann.request('conversation:get', { cid: newCid, body: {} })).type).toBe(
      'conversation:get:success',
    );
    expect((await ann.request('conversation:events', { cid: newCid })).body).toEqual([]);
    const joined = await ann.request('conversation:join', {
      cid: newCid,
      body: { user_id: 'ignored-but-self' },
    });
    expect(joined.type).not.toBe('conversation:join:success');
    const self = await ann.request('conversation:join', { cid: newCid, body: {} });
    expect(self).toMatchObject({ type: 'conversation:join:success', body: { state: 'JOINED', name: 'ann' } });
    const invited = await ann.request('conversation:invite', { cid: newCid, body: { user_name: 'ben' } });
    expect(invited).toMatchObject({
      type: 'conversation:invite:success',
      body: { state: 'INVITED', invited_by: 'ann' },
    });
    const notice = await ben.waitFor((m) => m.type === 'member:invited' && m.cid === newCid);
    expect(notice.body).toMatchObject({ user: { name: 'ben' }, timestamp: { invited: expect.any(String) } });
    const benJoin = await ben.request('conversation:join', { cid: newCid, body: {} });
    expect(benJoin.type).toBe('conversation:join:success');
    await ann.waitFor(
      (m) =>
        m.type === 'member:joined' &&
        m.cid === newCid &&
        m.from === (benJoin.body as { member_id: string }).member_id,
    );
    const left = await ben.request('conversation:member:delete', {
      cid: newCid,
      body: { member_id: (benJoin.body as { member_id: string }).member_id },
    });
    expect(left).toMatchObject({ type: 'conversation:member:delete:success', body: { state: 'LEFT' } });
    await ann.waitFor((m) => m.type === 'member:left' && m.cid === newCid);
    expect((await ben.request('text', { cid: newCid, body: { text: 'after leaving' } })).type).toBe(
      'conversation:error:not-member',
    );
  });

  it('answers conversation:events with history oldest first, from a start id', async () => {
    const ann = await login('native', 'ann');
    const all = (await ann.request('conversation:events', { cid, body: { start_id: 1, page_size: 1000 } }))
      .body as { id: number }[];
    expect(all.map((e) => e.id)).toEqual(all.map((_, i) => i + 1));
    const tail = (await ann.request('conversation:events', { cid, body: { start_id: all.length - 2 } }))
      .body as { id: number }[];
    expect(tail.map((e) => e.id)).toEqual([all.length - 2, all.length - 1, all.length]);
  });
});
