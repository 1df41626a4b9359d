import { Conversations } from '@vonage/conversations';
import { tokenGenerate } from '@vonage/jwt';
import { Users } from '@vonage/users';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestApp, type TestServer } from './support/test-server.js';

/** The real @vonage/server-sdk packages, unmodified, with apiHost pointed at Parley. */
describe('@vonage/users, @vonage/conversations and @vonage/jwt against Parley', () => {
  let server: TestServer;
  let app: TestApp;
  let users: Users;
  let conversations: Conversations;

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp('Vonage SDK');
    const credentials = { applicationId: app.id, privateKey: app.privateKey };
    users = new Users(credentials, { apiHost: server.url });
    conversations = new Conversations(credentials, { apiHost: server.url });
  });
  afterAll(() => server.stop());

  it('creates, fetches, updates, lists and deletes users', async () => {
    const created = await users.createUser({ name: 'sdk-user', displayName: 'SDK User' });
    expect(created.id).toMatch(/^USR-/);
    expect(created.displayName).toBe('SDK User');
    expect((await users.getUser(created.id!)).name).toBe('sdk-user');
    const updated = await users.updateUser({ id: created.id!, name: 'sdk-user', displayName: 'Renamed' });
    expect(updated.displayName).toBe('Renamed');

    for (let i = 0; i < 12; i++) await users.createUser({ name: `bulk-${i}` });
    const names: string[] = [];
    for await (const u of users.listAllUsers({ pageSize: 5 })) names.push(u.name!);
    expect(names.filter((n) => n.startsWith('bulk-'))).toHaveLength(12);
    expect(names).toContain('sdk-user');

    await users.deleteUser(created.id!);
    await expect(users.getUser(created.id!)).rejects.toThrow();
  });

  it('creates and lists conversations, members and events', async () => {
    const conv = await conversations.createConversation({ name: 'sdk-chat', displayName: 'SDK Chat' });
    expect(conv.id).toMatch(/^CON-/);
    expect((await conversations.getConversation(conv.id!)).displayName).toBe('SDK Chat');
    const renamed = await conversations.updateConversation({ id: conv.id!, displayName: 'SDK Chat 2' });
    expect(renamed.displayName).toBe('SDK Chat 2');

    const alice = await users.createUser({ name: 'sdk-alice' });
    const member = await conversations.createMember(conv.id!, {
      state: 'JOINED',
      user: { id: alice.id! },
      channel: { type: 'app' },
    } as Parameters<Conversations['createMember']>[1]);
    expect(member.id).toMatch(/^MEM-/);
    expect(member.state).toBe('JOINED');
    expect((await conversations.getMember(conv.id!, member.id!)).id).toBe(member.id);

    const members = [];
    for await (const m of conversations.listAllMembers(conv.id!)) members.push(m);
    expect(members.map((m) => m.id)).toEqual([member.id]);

    for (let i = 0; i < 7; i++) {
      const event = await conversations.createEvent(conv.id!, {
        type: 'message',
        from: member.id!,
        body: { messageType: 'text', text: `hello ${i}` },
      } as Parameters<Conversations['createEvent']>[1]);
      expect(event.id).toBe(i + 2);
    }
    const events = [];
    for await (const e of conversations.listAllEvents(conv.id!, { pageSize: 3 })) events.push(e);
    expect(events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events[1]).toMatchObject({ type: 'message', body: { text: 'hello 0' } });
    expect((await conversations.getEvent(conv.id!, '2')).id).toBe(2);
    await conversations.deleteEvent(conv.id!, '2');

    const left = await conversations.updateMember(conv.id!, member.id!, { state: 'LEFT' } as Parameters<
      Conversations['updateMember']
    >[2]);
    expect(left.state).toBe('LEFT');

    const listed = [];
    for await (const c of conversations.listAllConversations({ pageSize: 2 })) listed.push(c.id);
    expect(listed).toContain(conv.id);
    await conversations.deleteConversation(conv.id!);
    await expect(conversations.getConversation(conv.id!)).rejects.toThrow();
  });

  it("acts as a user with a token from @vonage/jwt naming the user's name", async () => {
    const bob = await users.createUser({ name: 'sdk-bob' });
    const conv = await conversations.createConversation({ name: 'bob-room' });
    await conversations.createMember(conv.id!, { state: 'JOINED', user: { id: bob.id! } } as Parameters<
      Conversations['createMember']
    >[1]);
    const token = tokenGenerate(app.id, app.privateKey, {
      subject: 'sdk-bob',
      ttl: 600,
      acl: { paths: { '/*/conversations/**': {}, '/*/users/**': {} } },
    });
    const res = await fetch(`${server.url}/v1/conversations/${conv.id}/members/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect((await res.json())._embedded.user.name).toBe('sdk-bob');
    const mine = await fetch(`${server.url}/v1/users/${bob.id}/conversations`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect((await mine.json())._embedded.conversations.map((c: { id: string }) => c.id)).toEqual([conv.id]);
  });
});
