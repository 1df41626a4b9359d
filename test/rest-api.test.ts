import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServerConfig } from '../src/server/config.js';
import {
  appToken,
  startTestServer,
  userToken,
  type TestApp,
  type TestServer,
} from './support/test-server.js';

describe('the Conversation API v1', () => {
  let server: TestServer;
  let app: TestApp;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp();
    admin = await appToken(app);
  });
  afterAll(() => server.stop());

  const json = async (res: Response) => ({
    status: res.status,
    body: res.status === 204 ? null : await res.json(),
  });
  const call = (method: string, path: string, body?: unknown, token = admin) =>
    server.call(method, path, { token, body }).then(json);

  it('answers /healthz while the store is reachable', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('creates, reads, updates and deletes a user', async () => {
    const created = await call('POST', '/v1/users', {
      name: 'alice',
      display_name: 'Alice',
      properties: { custom_data: { team: 'red' } },
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^USR-[0-9a-f-]{36}$/);
    expect(created.body).toMatchObject({
      name: 'alice',
      display_name: 'Alice',
      properties: { custom_data: { team: 'red' } },
    });
    expect(created.body._links.self.href).toBe(`${server.url}/v1/users/${created.body.id}`);

    const patched = await call('PATCH', `/v1/users/${created.body.id}`, { display_name: 'Alice B' });
    expect(patched.body.display_name).toBe('Alice B');
    expect((await call('GET', `/v1/users/${created.body.id}`)).body.display_name).toBe('Alice B');

    expect((await call('DELETE', `/v1/users/${created.body.id}`)).status).toBe(204);
    expect((await call('GET', `/v1/users/${created.body.id}`)).body.code).toBe('user:error:not-found');
  });

  it('refuses a second user with the same name with 409', async () => {
    await call('POST', '/v1/users', { name: 'dup' });
    const again = await call('POST', '/v1/users', { name: 'dup' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('user:error:duplicate-name');
  });

  it('runs a conversation: members join, events get contiguous ids, a member leaves', async () => {
    const conv = await call('POST', '/v1/conversations', { name: 'ops', display_name: 'Ops' });
    expect(conv.status).toBe(201);
    expect(conv.body).toMatchObject({
      name: 'ops',
      display_name: 'Ops',
      state: 'ACTIVE',
      sequence_number: 0,
    });
    expect(conv.body.timestamp.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const cid = conv.body.id as string;
    for (const name of ['bob', 'carol']) await call('POST', '/v1/users', { name });

    const bob = await call('POST', `/v1/conversations/${cid}/members`, {
      user: { name: 'bob' },
      state: 'joined',
      channel: { type: 'app' },
    });
    expect(bob.status).toBe(201);
    expect(bob.body).toMatchObject({
      state: 'JOINED',
      channel: { type: 'app' },
      _embedded: { user: { name: 'bob' } },
    });
    expect(bob.body.id).toMatch(/^MEM-/);
    const again = await call('POST', `/v1/conversations/${cid}/members`, {
      user: { name: 'bob' },
      state: 'JOINED',
    });
    expect(again.status).toBe(409);

    const bobToken = await userToken(app, 'bob');
    const me = await call('GET', `/v1/conversations/${cid}/members/me`, undefined, bobToken);
    expect(me.body.id).toBe(bob.body.id);

    const sent = await call(
      'POST',
      `/v1/conversations/${cid}/events`,
      { type: 'text', body: { text: 'hi' } },
      bobToken,
    );
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ id: 2, type: 'text', from: bob.body.id, body: { text: 'hi' } });
    expect(sent.body._embedded.from_user.name).toBe('bob');

    const forged = await call(
      'POST',
      `/v1/conversations/${cid}/events`,
      { type: 'text', from: 'MEM-someone', body: { text: 'x' } },
      bobToken,
    );
    expect(forged.status).toBe(422);
    expect(forged.body.code).toBe('event:error:invalid-from');

    const reserved = await call(
      'POST',
      `/v1/conversations/${cid}/events`,
      { type: 'member:joined', body: {} },
      bobToken,
    );
    expect(reserved.status).toBe(400);

    const left = await call(
      'PATCH',
      `/v1/conversations/${cid}/members/${bob.body.id}`,
      { state: 'left' },
      bobToken,
    );
    expect(left.body.state).toBe('LEFT');
    expect(left.body.timestamp.left).toBeDefined();
    const leftAgain = await call('PATCH', `/v1/conversations/${cid}/members/${bob.body.id}`, {
      state: 'LEFT',
    });
    expect(leftAgain.status).toBe(422);
    expect(leftAgain.body.code).toBe('member:error:invalid-state');

    const events = await call('GET', `/v1/conversations/${cid}/events?page_size=100`);
    expect(events.body._embedded.map((e: { id: number; type: string }) => [e.id, e.type])).toEqual([
      [1, 'member:joined'],
      [2, 'text'],
      [3, 'member:left'],
    ]);
    expect(events.body._embedded[0].body.timestamp.joined).toBeDefined();
    expect((await call('GET', `/v1/conversations/${cid}`)).body.sequence_number).toBe(3);
  });

  it('makes a send with a client reference idempotent', async () => {
    const conv = await call('POST', '/v1/conversations', {});
    await call('POST', '/v1/users', { name: 'dora' });
    await call('POST', `/v1/conversations/${conv.body.id}/members`, {
      user: { name: 'dora' },
      state: 'JOINED',
    });
    const token = await userToken(app, 'dora');
    const first = await call(
      'POST',
      `/v1/conversations/${conv.body.id}/events`,
      { type: 'text', body: { text: 'once' }, client_ref: 'r-1' },
      token,
    );
    const retry = await call(
      'POST',
      `/v1/conversations/${conv.body.id}/events`,
      { type: 'text', body: { text: 'once' }, client_ref: 'r-1' },
      token,
    );
    expect(retry.body.id).toBe(first.body.id);
    const list = await call(
      'GET',
      `/v1/conversations/${conv.body.id}/events?event_type=text`,
      undefined,
      token,
    );
    expect(list.body._embedded).toHaveLength(1);
  });

  it('refuses a text over PARLEY_MAX_TEXT with 413 as realtime does, storing nothing', async () => {
    const { cid } = await server.createRoom(app, ['tess']);
    const tess = await userToken(app, 'tess');
    const before = (await call('GET', `/v1/conversations/${cid}`)).body.sequence_number as number;
    // The default limit, as the test server runs with it.
    const limit = resolveServerConfig({}, {}).maxTextBytes;
    for (const token of [tess, admin]) {
      const tooLong = await call(
        'POST',
        `/v1/conversations/${cid}/events`,
        { type: 'text', body: { text: 'é'.repeat(limit / 2 + 1) } },
        token,
      );
      expect(tooLong).toMatchObject({ status: 413, body: { code: 'system:error:too-large' } });
    }
    expect((await call('GET', `/v1/conversations/${cid}`)).body.sequence_number).toBe(before);
    const atLimit = await call(
      'POST',
      `/v1/conversations/${cid}/events`,
      { type: 'text', body: { text: 'é'.repeat(limit / 2) } },
      tess,
    );
    expect(atLimit.status).toBe(201);
  });

  it('lets the creator of a conversation read it before joining, and nobody else outside it', async () => {
    await call('POST', '/v1/users', { name: 'cora' });
    await call('POST', '/v1/users', { name: 'otto' });
    const cora = await userToken(app, 'cora');
    const created = await call('POST', '/v1/conversations', { display_name: 'Cora’s' }, cora);
    expect(created.status).toBe(201);
    const cid = created.body.id as string;
    expect((await call('GET', `/v1/conversations/${cid}`, undefined, cora)).status).toBe(200);
    expect((await call('GET', `/v1/conversations/${cid}/events`, undefined, cora)).status).toBe(200);
    expect((await call('GET', `/v1/conversations/${cid}/members`, undefined, cora)).status).toBe(200);
    const stranger = await call('GET', `/v1/conversations/${cid}`, undefined, await userToken(app, 'otto'));
    expect(stranger).toMatchObject({ status: 403, body: { code: 'conversation:error:not-member' } });
    const send = await call(
      'POST',
      `/v1/conversations/${cid}/events`,
      { type: 'text', body: { text: 'hi' } },
      cora,
    );
    expect(send.body.code).toBe('conversation:error:not-member');
  });

  it('deletes an event, leaving a marker and announcing it', async () => {
    const conv = await call('POST', '/v1/conversations', {});
    await call('POST', '/v1/users', { name: 'erin' });
    const m = await call('POST', `/v1/conversations/${conv.body.id}/members`, {
      user: { name: 'erin' },
      state: 'JOINED',
    });
    const sent = await call('POST', `/v1/conversations/${conv.body.id}/events`, {
      type: 'text',
      from: m.body.id,
      body: { text: 'oops' },
    });
    expect((await call('DELETE', `/v1/conversations/${conv.body.id}/events/${sent.body.id}`)).status).toBe(
      204,
    );
    const got = await call('GET', `/v1/conversations/${conv.body.id}/events/${sent.body.id}`);
    expect(got.body.body).toEqual({});
    expect(got.body.deleted).toBeDefined();
    const all = await call('GET', `/v1/conversations/${conv.body.id}/events?exclude_deleted_events=true`);
    expect(all.body._embedded.map((e: { type: string }) => e.type)).toEqual([
      'member:joined',
      'event:delete',
    ]);
  });

  it('lets only the creator or the application delete a conversation', async () => {
    await call('POST', '/v1/users', { name: 'maker' });
    await call('POST', '/v1/users', { name: 'guest' });
    const maker = await userToken(app, 'maker');
    const guest = await userToken(app, 'guest');
    const conv = await call('POST', '/v1/conversations', { display_name: 'Mine' }, maker);
    expect(
      (
        await call(
          'POST',
          `/v1/conversations/${conv.body.id}/members`,
          { user: { name: 'maker' }, state: 'joined' },
          maker,
        )
      ).status,
    ).toBe(201);
    await call('POST', `/v1/conversations/${conv.body.id}/members`, {
      user: { name: 'guest' },
      state: 'joined',
    });
    const refused = await call('DELETE', `/v1/conversations/${conv.body.id}`, undefined, guest);
    expect(refused).toMatchObject({ status: 403, body: { code: 'system:error:forbidden' } });
    expect((await call('DELETE', `/v1/conversations/${conv.body.id}`, undefined, maker)).status).toBe(204);
  });

  it('walks cursor pagination to the end in both orders', async () => {
    const names = Array.from({ length: 23 }, (_, i) => `page-${String(i).padStart(2, '0')}`);
    for (const name of names) await call('POST', '/v1/users', { name });
    for (const order of ['asc', 'desc']) {
      const seen: string[] = [];
      let next: string | undefined = `${server.url}/v1/users?page_size=5&order=${order}`;
      let pages = 0;
      while (next) {
        const page: { body: any } = await server
          .call('GET', next.slice(server.url.length), { token: admin })
          .then(json);
        expect(page.body.page_size).toBe(5);
        seen.push(...page.body._embedded.users.map((u: { name: string }) => u.name));
        next = page.body._links.next?.href;
        if (next) expect(new URL(next).searchParams.get('cursor')).toBeTruthy();
        pages++;
      }
      const mine = seen.filter((n) => n.startsWith('page-'));
      expect(mine).toEqual(order === 'asc' ? names : [...names].reverse());
      expect(new Set(seen).size).toBe(seen.length);
      expect(pages).toBeGreaterThan(4);
    }
  });

  it('rejects bad pagination parameters with 400', async () => {
    expect((await call('GET', '/v1/users?page_size=101')).status).toBe(400);
    expect((await call('GET', '/v1/users?order=sideways')).status).toBe(400);
    const bad = await call('GET', '/v1/users?cursor=not-a-cursor');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('http:error:validation-fail');
  });

  it('answers malformed input with catalogue errors and no stack traces', async () => {
    const raw = (init: RequestInit & { path?: string }) =>
      fetch(`${server.url}${init.path ?? '/v1/users'}`, {
        method: 'POST',
        ...init,
        headers: { authorization: `Bearer ${admin}`, ...init.headers },
      }).then(json);
    const malformed = await raw({ body: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(malformed).toMatchObject({ status: 400, body: { code: 'http:error:malformed-json' } });
    const wrongType = await raw({
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(wrongType).toMatchObject({ status: 415, body: { code: 'http:error:unsupported-media-type' } });
    const huge = await raw({
      body: JSON.stringify({ name: 'x'.repeat(100_000) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(huge).toMatchObject({ status: 413, body: { code: 'http:error:payload-too-large' } });
    const invalid = await raw({
      body: JSON.stringify({ name: 42 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(invalid).toMatchObject({ status: 400, body: { code: 'http:error:validation-fail' } });
    expect(invalid.body.invalid_parameters[0].name).toBe('name');
    const route = await call('GET', '/v1/nothing-here');
    expect(route).toMatchObject({ status: 404, body: { code: 'http:error:not-found' } });
    const proto = await raw({
      body: '{"name":"p","__proto__":{"admin":true}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(proto.status).toBe(400);
  });

  it('guards /v2/applications with the API key and secret', async () => {
    const none = await server.call('GET', '/v2/applications');
    expect(none.status).toBe(401);
    expect((await none.json()).code).toBe('system:error:invalid-credentials');
    const wrong = await fetch(`${server.url}/v2/applications`, {
      headers: { authorization: `Basic ${Buffer.from('testkey:nope').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
    const list = await server.call('GET', '/v2/applications', { basic: true }).then(json);
    expect(list.body._embedded.applications.map((a: { id: string }) => a.id)).toContain(app.id);
    expect(list.body.total_items).toBeGreaterThanOrEqual(1);
  });

  it('generates a key pair when an application is created without one, returning the private key once', async () => {
    const created = await server
      .call('POST', '/v2/applications', { basic: true, body: { name: 'Keyless' } })
      .then(json);
    expect(created.status).toBe(201);
    expect(created.body.keys.private_key).toContain('BEGIN PRIVATE KEY');
    const again = await server.call('GET', `/v2/applications/${created.body.id}`, { basic: true }).then(json);
    expect(again.body.keys.private_key).toBeUndefined();
    expect((await server.call('DELETE', `/v2/applications/${created.body.id}`, { basic: true })).status).toBe(
      204,
    );
    expect((await server.call('GET', `/v2/applications/${created.body.id}`, { basic: true })).status).toBe(
      404,
    );
  });

  it('rejects an application whose public key is not RSA PEM', async () => {
    const res = await server
      .call('POST', '/v2/applications', { basic: true, body: { name: 'Bad', keys: { public_key: 'nope' } } })
      .then(json);
    expect(res).toMatchObject({ status: 400, body: { code: 'http:error:validation-fail' } });
  });
});
