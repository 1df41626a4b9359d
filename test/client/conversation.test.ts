import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Application, Conversation } from '../../src/client/index.js';
import { waitFor } from '../support/wait.js';
import { FakeServer, type FakeConversation, type FakeUser } from './fake-server.js';
import { createClient, type TestClient } from './helpers.js';
import { runSdkScenarios, type Room, type SdkWorld, type UserName } from './sdk-scenarios.js';

/** The shared SDK scenarios on the in-process fake server. */
async function startFakeWorld(): Promise<SdkWorld> {
  const server = await FakeServer.start();
  const users = new Map<UserName, FakeUser>();
  for (const name of ['alice', 'bob', 'carol'] as const)
    users.set(name, server.addUser(name, name[0]?.toUpperCase() + name.slice(1)));
  const user = (name: UserName): FakeUser => {
    const found = users.get(name);
    if (!found) throw new Error(`no user ${name}`);
    return found;
  };
  let rooms = 0;
  return {
    url: server.url,
    token: (name) => Promise.resolve(user(name).token),
    userId: (name) => user(name).id,
    createRoom: (): Promise<Room> => {
      rooms++;
      const conversation = server.addConversation(`room-${rooms}`, `Room ${rooms}`);
      const memberIds = new Map<UserName, string>();
      for (const name of ['alice', 'bob'] as const)
        memberIds.set(name, server.setMember(conversation, user(name), 'JOINED').member_id);
      return Promise.resolve({
        cid: conversation.id,
        name: conversation.name,
        display_name: `Room ${rooms}`,
        memberIds,
      });
    },
    stop: () => server.stop(),
  };
}

runSdkScenarios('the in-process fake server', startFakeWorld);

/** What only the fake can stage: pushes the server would not send on cue, refusals, history written directly. */
describe('the SDK, with what only the fake server can stage', () => {
  let server: FakeServer;
  let alice: FakeUser;
  let bob: FakeUser;
  let conv: FakeConversation;
  const clients: TestClient[] = [];

  beforeEach(async () => {
    server = await FakeServer.start();
    alice = server.addUser('alice', 'Alice');
    bob = server.addUser('bob', 'Bob');
    conv = server.addConversation('chat', 'Chat');
    server.setMember(conv, alice, 'JOINED');
    server.setMember(conv, bob, 'JOINED');
  });
  afterEach(async () => {
    for (const tc of clients.splice(0)) await tc.client.logout();
    await server.stop();
  });

  async function open(user: FakeUser): Promise<{ app: Application; conversation: Conversation }> {
    const tc = createClient(server.url);
    clients.push(tc);
    const app = await tc.client.login(user.token);
    return { app, conversation: await app.getConversation(conv.id) };
  }

  it('keeps presence current from presence:update events', async () => {
    const { conversation } = await open(alice);
    const bobMember = conversation.members.get(server.memberOf(conv, bob).member_id)!;
    expect(bobMember.online).toBe(false);
    const updates: boolean[] = [];
    conversation.on('presence:update', (member) => updates.push(member?.online ?? false));
    for (const session of server.sessionsOf(alice)) {
      server.send(session, {
        type: 'presence:update',
        cid: conv.id,
        from: bobMember.id,
        timestamp: new Date().toISOString(),
        body: { user_id: bob.id, online: true },
      });
    }
    await waitFor(() => updates.length === 1);
    expect(bobMember.online).toBe(true);
  });

  it('applies a batch of presence changes to every member it names', async () => {
    const { conversation } = await open(alice);
    const bobMember = conversation.members.get(server.memberOf(conv, bob).member_id)!;
    const aliceMember = conversation.members.get(server.memberOf(conv, alice).member_id)!;
    const updates: (string | null)[] = [];
    conversation.on('presence:update', (member) => updates.push(member?.id ?? null));
    for (const session of server.sessionsOf(alice)) {
      server.send(session, {
        type: 'presence:update',
        cid: conv.id,
        from: null,
        timestamp: new Date().toISOString(),
        body: {
          users: [
            { user_id: bob.id, member_id: bobMember.id, online: true },
            { user_id: alice.id, member_id: aliceMember.id, online: false },
            { user_id: 'someone-else', member_id: 'MEM-x', online: true },
          ],
        },
      });
    }
    await waitFor(() => updates.length === 1);
    expect(updates).toEqual([null]);
    expect(bobMember.online).toBe(true);
    expect(aliceMember.online).toBe(false);
  });

  it('is loading while it fetches members and history, and loaded once they are in', async () => {
    const tc = createClient(server.url);
    clients.push(tc);
    const app = await tc.client.login(alice.token);
    const listed = app.conversations.get(conv.id);
    expect(listed?.loadState).toBe('listed');
    const loading = app.getConversation(conv.id);
    expect(listed?.loadState).toBe('loading');
    expect(await loading).toBe(listed);
    expect(listed?.loadState).toBe('loaded');
  });

  it('drops a conversation it heard of only through a push when loading it fails, and reports why', async () => {
    const { app } = await open(alice);
    const other = server.addConversation('hidden');
    server.setMember(other, bob, 'JOINED', { push: false });
    server.intercept = (r) =>
      r.type === 'conversation:get' && r.cid === other.id
        ? {
            reply: {
              type: 'conversation:error:not-found',
              code: 'conversation:error:not-found',
              description: 'Conversation not found',
            },
          }
        : undefined;
    const errors: Error[] = [];
    app.on('error', (e) => errors.push(e));
    server.setMember(other, alice, 'INVITED', { invitedBy: 'bob' });
    await waitFor(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ code: 'conversation:error:not-found' });
    expect(app.conversations.has(other.id)).toBe(false);
  });

  it('pages back through older history with getEvents', async () => {
    for (let i = 1; i <= 150; i++) {
      server.append(conv, {
        type: 'text',
        from: server.memberOf(conv, bob).member_id,
        body: { text: `m${i}` },
      });
    }
    const { conversation } = await open(alice);
    expect(conversation.events.size).toBe(100);
    expect([...conversation.events.keys()][0]).toBe(53);
    const older = await conversation.getEvents({ end_id: 52, order: 'desc', page_size: 50 });
    expect([...older.keys()]).toEqual(Array.from({ length: 50 }, (_, i) => i + 3));
    expect(conversation.events.size).toBe(150);
    expect([...conversation.events.keys()].slice(0, 3)).toEqual([3, 4, 5]);
  });
});
