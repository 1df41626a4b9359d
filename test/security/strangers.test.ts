import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_TYPES, type RequestType } from '../../src/protocol/realtime.js';
import { nativeClient, socketIoClient, type RawClient } from '../support/realtime-clients.js';
import {
  appToken,
  startTestServer,
  userToken,
  type TestApp,
  type TestServer,
} from '../support/test-server.js';

/** Every REST route and every realtime request, tried by someone who does not belong. */
describe('strangers are refused everywhere', () => {
  let server: TestServer;
  let app: TestApp;
  let otherApp: TestApp;
  let ids: { cid: string; owner: string; ownerMember: string; eventId: number };
  const clients: RawClient[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp('Home');
    otherApp = await server.createApp('Elsewhere');
    const json = (r: Response) => r.json();
    const room = await server.createRoom(app, ['owner'], { name: 'private', outsiders: ['stranger'] });
    const { cid } = room;
    const owner = room.userIds.get('owner')!;
    const ownerMember = room.memberIds.get('owner')!;
    await server.call('POST', '/v1/users', { token: await appToken(otherApp), body: { name: 'owner' } });
    const eventId = (
      await server
        .call('POST', `/v1/conversations/${cid}/events`, {
          token: await userToken(app, 'owner'),
          body: { type: 'text', body: { text: 'secret' } },
        })
        .then(json)
    ).id;
    ids = { cid, owner, ownerMember, eventId };
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  const routes = (): [string, string, unknown?][] => [
    ['GET', `/v1/users/${ids.owner}`],
    ['PATCH', `/v1/users/${ids.owner}`, { display_name: 'pwned' }],
    ['DELETE', `/v1/users/${ids.owner}`],
    ['GET', `/v1/users/${ids.owner}/conversations`],
    ['GET', `/v1/conversations/${ids.cid}`],
    ['PUT', `/v1/conversations/${ids.cid}`, { display_name: 'pwned' }],
    ['DELETE', `/v1/conversations/${ids.cid}`],
    ['GET', `/v1/conversations/${ids.cid}/members`],
    ['GET', `/v1/conversations/${ids.cid}/members/${ids.ownerMember}`],
    ['PATCH', `/v1/conversations/${ids.cid}/members/${ids.ownerMember}`, { state: 'left' }],
    ['POST', `/v1/conversations/${ids.cid}/members`, { user: { name: 'stranger' }, state: 'invited' }],
    ['GET', `/v1/conversations/${ids.cid}/events`],
    ['GET', `/v1/conversations/${ids.cid}/events/${ids.eventId}`],
    ['POST', `/v1/conversations/${ids.cid}/events`, { type: 'text', body: { text: 'hi' } }],
    ['DELETE', `/v1/conversations/${ids.cid}/events/${ids.eventId}`],
  ];

  it.each([
    ['a user of the same application who is not a member', () => userToken(app, 'stranger')],
    ["another application's token", () => appToken(otherApp)],
    ['a user of another application with the same name', () => userToken(otherApp, 'owner')],
  ])('refuses every REST route to %s, changing nothing', async (_who, token) => {
    const t = await token();
    for (const [method, path, body] of routes()) {
      const res = await server.call(method, path, { token: t, body });
      expect([403, 404], `${method} ${path} answered ${res.status}`).toContain(res.status);
      expect((await res.json()).code).toMatch(/:error:/);
    }
    const admin = await appToken(app);
    const conv = await (await server.call('GET', `/v1/conversations/${ids.cid}`, { token: admin })).json();
    expect(conv).toMatchObject({ name: 'private', display_name: null, sequence_number: 2 });
    const owner = await (await server.call('GET', `/v1/users/${ids.owner}`, { token: admin })).json();
    expect(owner.display_name).toBeNull();
  });

  const SELF_SCOPED: RequestType[] = [
    'session:login',
    'session:logout',
    'session:update-token',
    'user:conversations',
    'new:conversation',
    'ping',
  ];

  it.each([
    ['native', nativeClient],
    ['socket.io', socketIoClient],
  ] as const)(
    'refuses every realtime request on a conversation to a stranger (%s)',
    async (_kind, connect) => {
      const c = await connect(server.url);
      clients.push(c);
      expect(
        (await c.request('session:login', { body: { token: await userToken(app, 'stranger') } })).type,
      ).toBe('session:success');
      for (const type of REQUEST_TYPES.filter((t) => !SELF_SCOPED.includes(t))) {
        if (type === 'user:get') continue;
        const reply = await c.request(type, {
          cid: ids.cid,
          from: ids.ownerMember,
          to: ids.ownerMember,
          body: {
            event_id: ids.eventId,
            text: 'x',
            member_id: ids.ownerMember,
            user_id: ids.owner,
            user_name: 'stranger',
            activity: 1,
          },
        });
        expect(reply.type, type).toMatch(/:error:/);
      }
      expect(c.pushed.filter((m) => m.cid === ids.cid)).toEqual([]);
      const otherAppUser = await c.request('user:get', {
        body: { user_id: 'USR-00000000-0000-0000-0000-000000000000' },
      });
      expect(otherAppUser.type).toBe('user:error:not-found');
    },
  );
});
