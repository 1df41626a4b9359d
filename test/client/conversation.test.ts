import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ParleyClientError,
  TextEvent,
  type Application,
  type Conversation,
  type ConversationEvent,
  type Member,
} from '../../src/client/index.js';
import { FakeServer, type FakeConversation, type FakeUser } from './fake-server.js';
import { createClient, waitFor, type TestClient } from './helpers.js';

describe('the chat API', () => {
  let server: FakeServer;
  let alice: FakeUser;
  let bob: FakeUser;
  let conv: FakeConversation;
  const clients: TestClient[] = [];

  beforeEach(async () => {
    server = await FakeServer.start();
    alice = server.addUser('alice', 'Alice');
    bob = server.addUser('bob', 'Bob');
    server.addUser('carol', 'Carol');
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

  it('lists your conversations at login, with your membership', async () => {
    const tc = createClient(server.url);
    clients.push(tc);
    const app = await tc.client.login(alice.token);
    const listed = app.conversations.get(conv.id);
    expect(listed).toMatchObject({ name: 'chat', display_name: 'Chat', sequence_number: 2 });
    expect(listed?.me).toMatchObject({ id: server.memberOf(conv, alice).member_id, state: 'JOINED' });
    expect(await app.getConversations()).toBe(app.conversations);
  });

  it('gets a conversation with its members, their presence and recent history', async () => {
    const { conversation: bobs } = await open(bob);
    const { conversation } = await open(alice);
    expect(bobs.id).toBe(conversation.id);
    expect(conversation.me?.user).toEqual({ id: alice.id, name: 'alice', display_name: 'Alice' });
    const bobMember = conversation.members.get(server.memberOf(conv, bob).member_id);
    expect(bobMember).toMatchObject({ state: 'JOINED', online: true, user: { name: 'bob' } });
    expect(bobMember?.timestamp.joined).toMatch(/Z$/);
    expect([...conversation.events.values()].map((e) => e.type)).toEqual(['member:joined', 'member:joined']);
  });

  it('sends a text: resolves with the stored event, and every member hears it once', async () => {
    const { conversation: bobs } = await open(bob);
    const { conversation } = await open(alice);
    const heardByBob: [Member | null, TextEvent][] = [];
    bobs.on('text', (sender, event) => heardByBob.push([sender, event]));
    const echoed: TextEvent[] = [];
    conversation.on('text', (_, event) => echoed.push(event));

    const sent = await conversation.sendText('hello');
    expect(sent).toBeInstanceOf(TextEvent);
    expect(sent).toMatchObject({ id: 3, from: conversation.me?.id, body: { text: 'hello' } });
    expect(sent.timestamp).toMatch(/Z$/);

    await waitFor(() => heardByBob.length === 1 && echoed.length === 1);
    const [sender, event] = heardByBob[0] ?? [];
    expect(sender?.user.name).toBe('alice');
    expect(event?.body.text).toBe('hello');
    expect(echoed[0]).toBe(sent);
    expect(conversation.events.get(3)).toBe(sent);
  });

  it('marks messages delivered automatically and seen on request', async () => {
    const { conversation: bobs } = await open(bob);
    const { conversation } = await open(alice);
    const seen: ConversationEvent[] = [];
    conversation.on('text:seen', (_, event) => seen.push(event));
    const sent = await conversation.sendText('read me');
    const bobMemberId = server.memberOf(conv, bob).member_id;
    await waitFor(() => sent.state.delivered_to[bobMemberId]);

    const received = await waitFor(() => bobs.events.get(sent.id));
    expect(received).toBeInstanceOf(TextEvent);
    await (received as TextEvent).seen();
    await waitFor(() => seen.length === 1);
    expect(seen[0]).toBe(sent);
    expect(sent.state.seen_by[bobMemberId]).toMatch(/Z$/);
    await expect((received as TextEvent).seen()).rejects.toMatchObject({ type: 'error:already-seen' });
    await expect(sent.seen()).rejects.toBeInstanceOf(ParleyClientError);
  });

  it('tells the others when you start and stop typing', async () => {
    const { conversation: bobs } = await open(bob);
    const { conversation } = await open(alice);
    const typing: string[] = [];
    bobs.on('text:typing:on', (sender) => typing.push(`on:${sender?.user.name}`));
    bobs.on('text:typing:off', (sender) => typing.push(`off:${sender?.user.name}`));
    await conversation.startTyping();
    await conversation.stopTyping();
    await waitFor(() => typing.length === 2);
    expect(typing).toEqual(['on:alice', 'off:alice']);
    expect(bobs.events.size).toBe(2);
  });

  it('deletes a message: it is blanked for everyone', async () => {
    const { conversation: bobs } = await open(bob);
    const { conversation } = await open(alice);
    const sent = await conversation.sendText('oops');
    const deleted = new Promise<ConversationEvent>((resolve) =>
      bobs.on('event:delete', (_, e) => resolve(e)),
    );
    await sent.del();
    const target = await deleted;
    expect(target).toBeInstanceOf(TextEvent);
    expect((target as TextEvent).body.text).toBe('');
    expect((target as TextEvent).state.deleted).toMatch(/Z$/);
  });

  it('invites, joins and leaves, keeping members and their states current', async () => {
    const carol = [...server.users.values()].find((u) => u.name === 'carol')!;
    const { conversation } = await open(alice);
    const memberEvents: string[] = [];
    const record = (type: string) => (member: Member) => memberEvents.push(`${type}:${member.user.name}`);
    conversation.on('member:invited', record('member:invited'));
    conversation.on('member:joined', record('member:joined'));
    conversation.on('member:left', record('member:left'));

    const tc = createClient(server.url);
    clients.push(tc);
    const carolsApp = await tc.client.login(carol.token);
    const invitation = new Promise<[Member, ConversationEvent]>((resolve) =>
      carolsApp.on('member:invited', (m, e) => resolve([m, e])),
    );
    const invited = await conversation.invite({ user_name: 'carol' });
    expect(invited).toMatchObject({ state: 'INVITED', user: { name: 'carol' } });
    expect(conversation.members.get(invited.id)).toBe(invited);

    const [carolMember, event] = await invitation;
    expect(carolMember.invited_by).toBe('alice');
    expect(event.type).toBe('member:invited');
    const carols = carolMember.conversation;
    expect(carols.me).toBe(carolMember);

    const joined = await carols.join();
    expect(joined).toMatchObject({ id: invited.id, state: 'JOINED' });
    await waitFor(() => conversation.members.get(invited.id)?.state === 'JOINED');

    await carols.leave();
    expect(carols.me?.state).toBe('LEFT');
    await waitFor(() => memberEvents.length === 3);
    expect(memberEvents).toEqual(['member:invited:carol', 'member:joined:carol', 'member:left:carol']);
    expect(conversation.members.get(invited.id)?.state).toBe('LEFT');
  });

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

  it('creates a conversation, joins it, and deletes it', async () => {
    const { app } = await open(alice);
    const created = await app.newConversationAndJoin({ name: 'fresh', display_name: 'Fresh' });
    expect(created).toMatchObject({ name: 'fresh', display_name: 'Fresh' });
    expect(created.me?.state).toBe('JOINED');
    expect(app.conversations.get(created.id)).toBe(created);
    await created.sendText('first');
    await created.del();
    expect(app.conversations.has(created.id)).toBe(false);
  });

  it('fetches a user', async () => {
    const { app } = await open(alice);
    expect(await app.getUser(bob.id)).toEqual({ id: bob.id, name: 'bob', display_name: 'Bob' });
    expect((await app.getUser()).id).toBe(alice.id);
  });
});
