import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionState, DisconnectedCode } from '../../src/client/index.js';
import {
  appToken,
  signToken,
  startTestServer,
  TestClock,
  TUTORIAL_ACL,
  userToken,
  type TestApp,
  type TestServer,
} from '../support/test-server.js';
import { createClient, nextState, type TestClient } from './helpers.js';
import { runSdkScenarios, type SdkWorld, type UserName } from './sdk-scenarios.js';

/** The shared SDK scenarios on a real Parley server's native transport at /ws. */
async function startServerWorld(): Promise<SdkWorld> {
  const server = await startTestServer();
  const app = await server.createApp();
  const admin = await appToken(app);
  const post = async (path: string, body: unknown): Promise<{ id: string }> => {
    const res = await server.call('POST', path, { token: admin, body });
    const json = (await res.json()) as { id: string };
    if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const userIds = new Map<UserName, string>();
  for (const name of ['alice', 'bob', 'carol'] as const) {
    const display_name = name[0]?.toUpperCase() + name.slice(1);
    userIds.set(name, (await post('/v1/users', { name, display_name })).id);
  }
  let rooms = 0;
  return {
    url: server.url,
    token: (name) => userToken(app, name),
    userId: (name) => userIds.get(name) ?? '',
    createRoom: async () => {
      rooms++;
      const name = `room-${rooms}`;
      const display_name = `Room ${rooms}`;
      const { id: cid } = await post('/v1/conversations', { name, display_name });
      const memberIds = new Map<UserName, string>();
      for (const user of ['alice', 'bob'] as const) {
        const member = await post(`/v1/conversations/${cid}/members`, {
          user: { name: user },
          state: 'joined',
          channel: { type: 'app' },
        });
        memberIds.set(user, member.id);
      }
      return { cid, name, display_name, memberIds };
    },
    stop: () => server.stop(),
  };
}

runSdkScenarios('a Parley server', startServerWorld);

describe('the SDK against a Parley server, with a short-lived token', () => {
  let server: TestServer;
  let app: TestApp;
  const clients: TestClient[] = [];
  const clock = new TestClock();

  beforeAll(async () => {
    server = await startTestServer({}, { clock });
    app = await server.createApp();
    const res = await server.call('POST', '/v1/users', {
      token: await appToken(app),
      body: { name: 'alice' },
    });
    expect(res.status).toBe(201);
  });
  afterEach(async () => {
    for (const tc of clients.splice(0)) await tc.client.logout();
  });
  afterAll(() => server.stop());

  it('stops without reconnecting when its token expires', async () => {
    const now = Math.floor(clock.now() / 1000);
    const shortLived = await signToken(app, { sub: 'alice', acl: TUTORIAL_ACL, iat: now, exp: now + 2 });
    const tc = createClient(server.url);
    clients.push(tc);
    const errors: Error[] = [];
    tc.client.on('error', (e) => errors.push(e));
    await tc.client.login(shortLived);
    const disconnected = nextState(tc.client, ConnectionState.Disconnected);
    // The server's clock passes the token's expiry: no waiting for it in real time.
    clock.advance(2500);
    const change = await disconnected;
    expect(change.code).toBe(DisconnectedCode.tokenExpired);
    expect(errors[0]).toMatchObject({ code: 'system:error:expired-token' });
  });
});
