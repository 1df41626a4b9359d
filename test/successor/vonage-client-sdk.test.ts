import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Inbox, successorToken, tutorialRoom } from '../support/successor.js';
import { startTestServer, type TestApp, type TestServer } from '../support/test-server.js';
import { PresentingOrder, vonageClient } from '../support/vonage-client.js';

/** What the tests read of the SDK's conversation events (`client.on('conversationEvent')`). */
interface ChatEvent {
  kind: string;
  id: number;
  conversationId: string;
  from: { kind: string; memberId?: string; user?: { name: string } };
  body: { text?: string; eventId?: number };
}

/** The real @vonage/client-sdk 2.3, unmodified, with apiUrl and websocketUrl pointed at Parley. */
describe('@vonage/client-sdk against Parley', () => {
  let server: TestServer;
  let app: TestApp;
  let cid: string;

  const client = () => vonageClient(server.url);

  const textsOf = (events: readonly { kind: string; body: { text?: string } }[]) =>
    events.filter((e) => e.kind === 'message:text').map((e) => e.body.text);

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp('Vonage client SDK');
    ({ cid } = await tutorialRoom(server, app, ['alice', 'bob']));
  });
  afterAll(() => server.stop());

  it('logs in, lists and gets the conversation, chats live, pages history, sends seen, logs out', async () => {
    const alice = client();
    const inbox = new Inbox<ChatEvent>();
    alice.on('conversationEvent', (event) => inbox.push(event as ChatEvent));
    const sessionId = await alice.createSession(await successorToken(app, 'alice'));
    expect(sessionId).toMatch(/^SESSION-/);

    const page = await alice.getConversations({ order: PresentingOrder.ASC, pageSize: 10 });
    expect(page.conversations.map((c) => c.id)).toEqual([cid]);
    const conversation = await alice.getConversation(cid);
    expect(conversation.displayName).toBe('Old School Chat');
    expect(conversation.name).toMatch(/^NAM-/);
    expect(conversation.memberState).toBe('JOINED');
    // The generated name leads back to the conversation, as `getConversation(idOrName)` allows.
    expect((await alice.getConversation(conversation.name)).id).toBe(cid);

    const sentAt = await alice.sendMessageTextEvent(cid, 'hello from alice');
    expect(Date.parse(sentAt)).not.toBeNaN();
    const own = await inbox.waitFor((e) => e.body.text === 'hello from alice', 'her own message back');
    expect(own).toMatchObject({
      kind: 'message:text',
      conversationId: cid,
      from: { user: { name: 'alice' } },
    });

    // Bob speaks through the Stitch-era vocabulary (`text`, as nexmo-stitch and Parley's SDK send it).
    const bobToken = await successorToken(app, 'bob');
    const res = await server.call('POST', `/v1/conversations/${cid}/events`, {
      token: bobToken,
      body: { type: 'text', body: { text: 'hi from bob' } },
    });
    expect(res.status).toBe(201);
    const fromBob = await inbox.waitFor((e) => e.body.text === 'hi from bob', "bob's text as a message");
    expect(fromBob).toMatchObject({ kind: 'message:text', from: { user: { name: 'bob' } } });

    for (let i = 0; i < 5; i++) await alice.sendMessageTextEvent(cid, `line ${i}`);
    await inbox.waitFor((e) => e.body.text === 'line 4', 'the last line');

    const history: ChatEvent[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const events = await alice.getConversationEvents(cid, {
        order: PresentingOrder.ASC,
        pageSize: 3,
        cursor,
      });
      history.push(...(events.events as unknown as ChatEvent[]));
      cursor = events.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThan(2);
    expect(textsOf(history)).toEqual([
      'hello from alice',
      'hi from bob',
      'line 0',
      'line 1',
      'line 2',
      'line 3',
      'line 4',
    ]);
    expect(history.map((e) => e.kind)).toContain('member:joined');
    const ids = history.map((e) => e.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);

    await alice.sendMessageSeenEvent(fromBob.id, cid);
    const seen = await inbox.waitFor((e) => e.kind === 'message:seen', 'her seen receipt');
    expect(seen.body.eventId).toBe(fromBob.id);

    await alice.deleteSession();
  });

  it('creates, joins, invites, lists members of, leaves and deletes a conversation; renews its session', async () => {
    const { userIds } = await tutorialRoom(server, app, ['carl']);
    const carl = client();
    await carl.createSession(await successorToken(app, 'carl'));
    expect(await carl.getUser('me')).toMatchObject({ id: userIds.get('carl'), name: 'carl' });
    await carl.refreshSession(await successorToken(app, 'carl'));

    const id = await carl.createConversation({ displayName: 'Side room' });
    expect(id).toMatch(/^CON-/);
    expect(await carl.joinConversation(id)).toMatch(/^MEM-/);
    expect(await carl.inviteToConversation(id, 'bob')).toMatch(/^MEM-/);
    const members = await carl.getConversationMembers(id, { order: PresentingOrder.ASC, pageSize: 10 });
    expect(members.members.map((m) => [m.user?.name, m.state])).toEqual([
      ['carl', 'JOINED'],
      ['bob', 'INVITED'],
    ]);
    expect((await carl.getConversation(id)).displayName).toBe('Side room');
    await carl.leaveConversation(id);
    // Its creator may still read it (core/access.ts); it shows him as having left.
    expect(await carl.getConversation(id)).toMatchObject({ memberState: 'LEFT' });
    const bob = client();
    await bob.createSession(await successorToken(app, 'bob'));
    await bob.leaveConversation(id);
    // Anyone else sees it only while joined or invited.
    await expect(bob.getConversation(id)).rejects.toMatchObject({ code: 'conversation:error:not-member' });
    await bob.deleteSession();

    const doomed = await carl.createConversation({ displayName: 'Doomed' });
    await carl.joinConversation(doomed);
    await carl.deleteConversation(doomed);
    await expect(carl.getConversation(doomed)).rejects.toMatchObject({
      code: 'conversation:error:not-found',
    });
    await carl.deleteSession();
  });

  it('sends image, custom and ephemeral events and deletes its own', async () => {
    const { cid: room } = await tutorialRoom(server, app, ['eve', 'fay']);
    const eve = client();
    const fay = client();
    const atFay = new Inbox<ChatEvent & { eventType?: string }>();
    fay.on('conversationEvent', (event) => atFay.push(event as ChatEvent));
    await eve.createSession(await successorToken(app, 'eve'));
    await fay.createSession(await successorToken(app, 'fay'));

    await eve.sendMessageImageEvent(room, new URL('https://example.com/cat.png'));
    expect(await atFay.waitFor((e) => e.kind === 'message:image', 'the image')).toMatchObject({
      conversationId: room,
    });
    await eve.sendCustomEvent(room, 'poll', { question: 'tea?' });
    await atFay.waitFor((e) => e.kind === 'custom', 'the custom event');
    await eve.sendEphemeralEvent(room, { typing: true });
    await atFay.waitFor((e) => e.kind === 'ephemeral', 'the ephemeral event');

    const text = await eve.sendMessageTextEvent(room, 'soon gone');
    const sent = await atFay.waitFor((e) => e.body.text === 'soon gone', 'the text');
    expect(Date.parse(text)).not.toBeNaN();
    await eve.deleteEvent(sent.id, room);
    await atFay.waitFor((e) => e.kind === 'event:delete', 'the deletion');
    const page = await fay.getConversationEvents(room, { order: PresentingOrder.ASC, pageSize: 100 });
    const kinds = (page.events as ChatEvent[]).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['message:image', 'custom', 'event:delete']));
    expect((page.events as ChatEvent[]).some((e) => e.id === sent.id)).toBe(false);
    await eve.deleteSession();
    await fay.deleteSession();
  });
});
