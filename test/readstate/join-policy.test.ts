import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeClient, socketIoClient, type RawClient } from '../support/realtime-clients.js';
import {
  appToken,
  startTestServer,
  userToken,
  type TestApp,
  type TestServer,
} from '../support/test-server.js';

describe('join policy', () => {
  let server: TestServer;
  let app: TestApp;
  let admin: string;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp();
    admin = await appToken(app);
    for (const name of ['owner', 'guest', 'invitee']) {
      await server.call('POST', '/v1/users', { token: admin, body: { name } });
    }
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await server.stop();
  });

  async function login(
    name: string,
    transport: (url: string) => Promise<RawClient> = socketIoClient,
  ): Promise<RawClient> {
    const client = await transport(server.url);
    clients.push(client);
    const reply = await client.request('session:login', { body: { token: await userToken(app, name) } });
    expect(reply.type).toBe('session:success');
    return client;
  }

  async function conversation(policy?: 'open' | 'invite'): Promise<{ id: string; join_policy: string }> {
    const owner = await userToken(app, 'owner');
    const body = policy === undefined ? {} : { join_policy: policy };
    const res = await server.call('POST', '/v1/conversations', { token: owner, body });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; join_policy: string };
    await server.call('POST', `/v1/conversations/${created.id}/members`, {
      token: owner,
      body: { user: { name: 'owner' }, state: 'JOINED' },
    });
    return created;
  }

  it('makes conversations open by default, and lets any user of the application join one by id and chat', async () => {
    const { id, join_policy } = await conversation();
    expect(join_policy).toBe('open');
    const guest = await login('guest');
    const joined = await guest.request('conversation:join', { cid: id, body: {} });
    expect(joined.type).toBe('conversation:join:success');
    const got = await guest.request('conversation:get', { cid: id });
    expect(got.body).toMatchObject({ join_policy: 'open' });
    const sent = await guest.request('text', { cid: id, body: { text: 'hello' } });
    expect(sent.type).toBe('text:success');
  });

  it('refuses a user who was not invited into an invite conversation, with a clear error', async () => {
    const { id, join_policy } = await conversation('invite');
    expect(join_policy).toBe('invite');
    const guest = await login('guest', nativeClient);
    expect((await guest.request('conversation:join', { cid: id, body: {} })).type).toBe(
      'conversation:error:invite-only',
    );
    expect((await guest.request('conversation:get', { cid: id })).type).toBe('conversation:error:not-member');
    const rest = await server.call('POST', `/v1/conversations/${id}/members`, {
      token: await userToken(app, 'guest'),
      body: { user: { name: 'guest' }, state: 'JOINED' },
    });
    expect(rest.status).toBe(403);
    expect(((await rest.json()) as { code: string }).code).toBe('conversation:error:invite-only');

    const owner = await login('owner');
    expect(
      (await owner.request('conversation:invite', { cid: id, body: { user_name: 'invitee' } })).type,
    ).toBe('conversation:invite:success');
    const invitee = await login('invitee');
    expect((await invitee.request('conversation:join', { cid: id, body: {} })).type).toBe(
      'conversation:join:success',
    );
  });

  it('takes join_policy on new:conversation', async () => {
    const owner = await login('owner');
    const reply = await owner.request('new:conversation', { body: { join_policy: 'invite' } });
    expect(reply.body).toMatchObject({ join_policy: 'invite' });
    const res = await server.call('GET', `/v1/conversations/${(reply.body as { id: string }).id}`, {
      token: admin,
    });
    expect(await res.json()).toMatchObject({ join_policy: 'invite' });
  });

  it('lets the owner or the application change the policy with PATCH, and nobody else', async () => {
    const { id } = await conversation();
    const guest = await userToken(app, 'guest');
    await server.call('POST', `/v1/conversations/${id}/members`, {
      token: guest,
      body: { user: { name: 'guest' }, state: 'JOINED' },
    });
    const patch = (token: string, join_policy: string) =>
      server.call('PATCH', `/v1/conversations/${id}`, { token, body: { join_policy } });

    const refused = await patch(guest, 'invite');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('system:error:forbidden');
    expect(await (await patch(await userToken(app, 'owner'), 'invite')).json()).toMatchObject({
      join_policy: 'invite',
    });
    expect(await (await patch(admin, 'open')).json()).toMatchObject({ join_policy: 'open' });
    expect((await patch(admin, 'closed')).status).toBe(400);
  });
});
