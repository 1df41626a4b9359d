import { Conversations } from '@vonage/conversations';
import { Users } from '@vonage/users';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeClient, type RawClient } from './support/realtime-clients.js';
import {
  appToken,
  startTestServer,
  userToken,
  type TestApp,
  type TestServer,
} from './support/test-server.js';

/** Every field the v1 API accepts is stored and returned, or refused; none is silently dropped. */
describe('REST v1 fidelity for the server SDKs', () => {
  let server: TestServer;
  let app: TestApp;
  let token: string;
  let users: Users;
  let conversations: Conversations;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp('Fidelity');
    token = await appToken(app);
    const credentials = { applicationId: app.id, privateKey: app.privateKey };
    users = new Users(credentials, { apiHost: server.url });
    conversations = new Conversations(credentials, { apiHost: server.url });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await server.stop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await server.call(method, path, { token, body });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> };
  };

  const login = async (name: string) => {
    const client = await nativeClient(server.url);
    clients.push(client);
    const reply = await client.request('session:login', { body: { token: await userToken(app, name) } });
    expect(reply.type).toBe('session:success');
    return { client, sessionId: (reply.body as { id: string }).id };
  };

  it('stores and returns a conversation’s ttl, numbers and callback through @vonage/conversations', async () => {
    const callback = {
      url: 'https://example.com/cb',
      eventMask: 'member:joined',
      method: 'POST',
      params: { applicationId: app.id, nccoUrl: 'https://example.com/ncco' },
    };
    const numbers = [{ type: 'phone', number: '447700900000' }];
    const created = await conversations.createConversation({
      name: 'fidelity-conv',
      properties: { ttl: 3600, type: 'chat', customSortKey: 'k1', customData: { a: 1 } },
      numbers,
      callback,
    } as Parameters<Conversations['createConversation']>[0]);
    const fetched = await conversations.getConversation(created.id!);
    for (const c of [created, fetched]) {
      expect(c).toMatchObject({
        properties: { ttl: 3600, type: 'chat', customSortKey: 'k1', customData: { a: 1 } },
        numbers,
        callback: { url: callback.url, eventMask: 'member:joined', method: 'POST' },
      });
    }

    const updated = await conversations.updateConversation({
      id: created.id!,
      properties: { ttl: 60 },
    } as Parameters<Conversations['updateConversation']>[0]);
    expect(updated).toMatchObject({ properties: { ttl: 60, type: 'chat', customSortKey: 'k1' }, numbers });

    const cleared = await call('PUT', `/v1/conversations/${created.id}`, { numbers: null, callback: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.numbers).toBeUndefined();
    expect(cleared.body.callback).toBeUndefined();
    expect(cleared.body.properties.ttl).toBe(60);
  });

  it('refuses date filters on conversation lists rather than ignoring them', async () => {
    const res = await call('GET', '/v1/conversations?date_start=2024-01-01T00:00:00Z');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('http:error:validation-fail');
    expect((await call('GET', '/v1/conversations?page_size=1')).status).toBe(200);
  });

  it('refuses malformed ttl, numbers and callback with a clear error', async () => {
    for (const body of [
      { properties: { ttl: -1 } },
      { properties: { ttl: 'soon' } },
      { numbers: 'none' },
      { callback: { url: 'not a url' } },
      { callback: { method: 'DELETE' } },
    ]) {
      const res = await call('POST', '/v1/conversations', body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('http:error:validation-fail');
    }
  });

  it('stores and returns a user’s channels through @vonage/users', async () => {
    const channels = {
      pstn: [{ number: 447700900000 }],
      websocket: [{ uri: 'wss://example.com/socket', contentType: 'audio/l16;rate=16000', headers: {} }],
    };
    const created = await users.createUser({ name: 'fidelity-user', channels });
    expect(created.channels).toMatchObject(channels);
    expect((await users.getUser(created.id!)).channels).toMatchObject(channels);

    const patched = await call('PATCH', `/v1/users/${created.id}`, { channels: { sms: [{ number: '1' }] } });
    expect(patched.body.channels).toEqual({ sms: [{ number: '1' }] });
    expect((await call('PATCH', `/v1/users/${created.id}`, { channels: [] })).status).toBe(400);
  });

  it('carries a member’s reason for leaving into member:left, by PATCH and by DELETE', async () => {
    const room = await server.createRoom(app, ['rf-ann', 'rf-ben']);
    const ann = room.memberIds.get('rf-ann')!;
    const ben = room.memberIds.get('rf-ben')!;
    const reason = { code: 'BYE', text: 'done for today' };
    const left = await conversations.updateMember(room.cid, ann, { state: 'LEFT', reason } as Parameters<
      Conversations['updateMember']
    >[2]);
    expect(left.state).toBe('LEFT');

    const deleted = await server.call('DELETE', `/v1/conversations/${room.cid}/members/${ben}`, {
      token,
      body: { reason: { code: 'KICKED' } },
    });
    expect(deleted.status).toBe(204);

    const events = await call('GET', `/v1/conversations/${room.cid}/events?event_type=member:left`);
    const byMember = Object.fromEntries(
      (events.body._embedded as { from: string; body: { reason?: unknown } }[]).map((e) => [e.from, e.body]),
    );
    expect(byMember[ann]?.reason).toEqual(reason);
    expect(byMember[ben]?.reason).toEqual({ code: 'KICKED' });

    const refused = await call('PATCH', `/v1/conversations/${room.cid}/members/${ann}`, {
      state: 'JOINED',
      reason,
    });
    expect(refused.status).toBe(400);
  });

  it('filters event lists by date_start and date_end', async () => {
    const room = await server.createRoom(app, ['rf-cat']);
    const from = room.memberIds.get('rf-cat')!;
    const sent = [];
    for (let i = 0; i < 3; i++) {
      const res = await call('POST', `/v1/conversations/${room.cid}/events`, {
        type: 'text',
        from,
        body: { text: `t${i}` },
      });
      sent.push(res.body as { id: number; timestamp: string });
    }
    const ids = async (query: string) =>
      (await call('GET', `/v1/conversations/${room.cid}/events?event_type=text&${query}`)).body._embedded.map(
        (e: { id: number }) => e.id,
      ) as number[];
    // Two events may share a millisecond, so bounds are checked as inclusive rather than exact splits.
    const [first, , last] = sent as [(typeof sent)[0], (typeof sent)[0], (typeof sent)[0]];
    expect(await ids(`date_start=${encodeURIComponent(first.timestamp)}`)).toEqual(sent.map((e) => e.id));
    expect(await ids(`date_end=${encodeURIComponent(first.timestamp)}`)).toContain(first.id);
    const before = new Date(Date.parse(first.timestamp) - 1).toISOString();
    expect(await ids(`date_end=${encodeURIComponent(before)}`)).toEqual([]);
    const after = new Date(Date.parse(last.timestamp) + 1).toISOString();
    expect(await ids(`date_start=${encodeURIComponent(after)}`)).toEqual([]);
    expect((await call('GET', `/v1/conversations/${room.cid}/events?date_start=yesterday`)).status).toBe(400);
  });

  it('lists the live realtime sessions of a user as @vonage/conversations reads them', async () => {
    const room = await server.createRoom(app, ['rf-dan']);
    const userId = room.userIds.get('rf-dan')!;
    const none = [];
    for await (const s of conversations.listAllUserSessions(userId)) none.push(s);
    expect(none).toEqual([]);

    const { client, sessionId } = await login('rf-dan');
    const sessions = [];
    for await (const s of conversations.listAllUserSessions(userId)) sessions.push(s);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({
      id: sessionId,
      user: { id: userId, name: 'rf-dan' },
      apiKey: app.id,
    });
    expect(sessions[0]!.properties.ttl).toBeGreaterThan(0);

    client.close();
    await client.closed;
    await expect
      .poll(async () => (await call('GET', `/v1/users/${userId}/sessions`)).body._embedded.sessions)
      .toEqual([]);
  });

  it('relays typing posted over REST to live sessions without storing it', async () => {
    const room = await server.createRoom(app, ['rf-eve', 'rf-fay']);
    const { client: fay } = await login('rf-fay');
    const eve = room.memberIds.get('rf-eve')!;
    const before = (await call('GET', `/v1/conversations/${room.cid}`)).body.sequence_number as number;

    const res = await call('POST', `/v1/conversations/${room.cid}/events`, {
      type: 'text:typing:on',
      from: eve,
      body: { activity: 1 },
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toBeUndefined();
    const typing = await fay.waitFor((m) => m.type === 'text:typing:on' && m.from === eve);
    expect(typing.cid).toBe(room.cid);
    expect((await call('GET', `/v1/conversations/${room.cid}`)).body.sequence_number).toBe(before);
  });

  it('carries the fields through export and import', async () => {
    const user = await call('POST', '/v1/users', {
      name: 'rf-dump',
      channels: { sip: [{ uri: 'sip:a@b' }] },
    });
    const conv = await call('POST', '/v1/conversations', {
      name: 'rf-dump-conv',
      properties: { ttl: 5, type: 'chat', custom_sort_key: 's' },
      numbers: [{ type: 'phone', number: '1' }],
      callback: { url: 'https://example.com/cb', method: 'GET' },
    });
    const exported = await server.call('GET', `/v2/applications/${app.id}/export`, { token });
    const lines = (await exported.text())
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Record<string, any>);
    const dumped = lines.filter((l) => l.id === user.body.id || l.id === conv.body.id);
    expect(dumped).toHaveLength(2);

    expect((await call('DELETE', `/v1/conversations/${conv.body.id}`)).status).toBe(204);
    expect((await call('DELETE', `/v1/users/${user.body.id}`)).status).toBe(204);
    const imported = await fetch(`${server.url}/v2/applications/${app.id}/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: dumped.map((l) => JSON.stringify(l)).join('\n') + '\n',
    });
    expect(imported.status).toBe(200);

    const back = await call('GET', `/v1/conversations/${conv.body.id}`);
    expect(back.body).toMatchObject({
      properties: { ttl: 5, type: 'chat', custom_sort_key: 's' },
      numbers: [{ type: 'phone', number: '1' }],
      callback: { url: 'https://example.com/cb', method: 'GET' },
    });
    expect((await call('GET', `/v1/users/${user.body.id}`)).body.channels).toEqual({
      sip: [{ uri: 'sip:a@b' }],
    });
  });
});
