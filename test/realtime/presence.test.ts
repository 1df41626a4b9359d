import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeClient, type Message, type RawClient } from '../support/realtime-clients.js';
import { startTestServer, userToken, type TestApp, type TestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

const CROWD = 12;

/** What a watcher learns from `presence:update` frames: user id → online, in either body shape. */
function presenceOf(pushed: Message[], cid: string): Map<string, boolean> {
  const online = new Map<string, boolean>();
  for (const m of pushed) {
    if (m.type !== 'presence:update' || m.cid !== cid) continue;
    const body = m.body as {
      users?: { user_id: string; online: boolean }[];
      user_id?: string;
      online?: boolean;
    };
    for (const change of body.users ?? [{ user_id: body.user_id!, online: body.online! }]) {
      online.set(change.user_id, change.online);
    }
  }
  return online;
}

describe('presence', () => {
  let server: TestServer;
  let app: TestApp;
  let cid: string;
  let userIds: Map<string, string>;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp();
    ({ cid, userIds } = await server.createRoom(app, [
      'watcher',
      ...Array.from({ length: CROWD }, (_, i) => `guest${i}`),
    ]));
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  const login = async (name: string) => {
    const client = await nativeClient(server.url);
    clients.push(client);
    expect(
      (await client.request('session:login', { body: { token: await userToken(app, name) } })).type,
    ).toBe('session:success');
    return client;
  };

  it('tells the room who came online, a crowd arriving at once in few frames', async () => {
    const watcher = await login('watcher');
    const crowd = await Promise.all(Array.from({ length: CROWD }, (_, i) => login(`guest${i}`)));
    // The watcher hears of its own arrival too.
    const everyone = () => presenceOf(watcher.pushed, cid).size === CROWD + 1;
    await waitFor(everyone, 5000, 'presence of everyone');
    const seen = presenceOf(watcher.pushed, cid);
    expect([...seen.keys()].sort()).toEqual([...userIds.values()].sort());
    expect([...seen.values()].every(Boolean)).toBe(true);
    const frames = watcher.pushed.filter((m) => m.type === 'presence:update').length;
    expect(frames).toBeLessThan(CROWD + 1);

    // One change on its own comes in the single-user shape, from the member.
    crowd[0]!.close();
    const gone = await watcher.waitFor(
      (m) => m.type === 'presence:update' && (m.body as { online?: boolean }).online === false,
    );
    expect(gone.body).toEqual({ user_id: userIds.get('guest0'), online: false });
    expect(gone.from).toEqual(expect.any(String));
  });
});
