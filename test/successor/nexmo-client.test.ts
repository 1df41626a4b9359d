import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nexmoClient, type NexmoEvent, type NexmoMemberInfo } from '../support/nexmo-client.js';
import { Inbox, successorToken, tutorialRoom } from '../support/successor.js';
import { startTestServer, type TestApp, type TestServer } from '../support/test-server.js';
import { installXhrShim } from '../support/xhr-shim.js';

interface Heard {
  type: 'message' | 'text';
  sender: NexmoMemberInfo;
  event: NexmoEvent;
}

/** The real nexmo-client 9.5.1, unmodified, in Node (with an XMLHttpRequest over fetch), pointed at Parley. */
describe('nexmo-client 9.5.1 against Parley', () => {
  let server: TestServer;
  let app: TestApp;
  let cid: string;
  let uninstall: () => void;

  beforeAll(async () => {
    uninstall = installXhrShim();
    server = await startTestServer();
    app = await server.createApp('nexmo-client');
    ({ cid } = await tutorialRoom(server, app, ['alice', 'bob']));
  });
  afterAll(async () => {
    await server.stop();
    uninstall();
  });

  it('logs in, lists and gets the conversation, sends both ways, hears live, pages history, logs out', async () => {
    const client = nexmoClient(server.url);
    const application = await client.createSession(await successorToken(app, 'alice'));
    expect(application.me.name).toBe('alice');

    const conversations = await application.getConversations({ page_size: 10 });
    expect([...conversations.items.keys()]).toEqual([cid]);
    const conversation = await application.getConversation(cid);
    expect(conversation.display_name).toBe('Old School Chat');
    expect(conversation.name).toMatch(/^NAM-/);
    expect(conversation.me?.state).toBe('JOINED');

    const heard = new Inbox<Heard>();
    conversation.on('message', (sender, event) => heard.push({ type: 'message', sender, event }));
    conversation.on('text', (sender, event) => heard.push({ type: 'text', sender, event }));

    const sent = await conversation.sendMessage({ message_type: 'text', text: 'a message from alice' });
    expect(sent.id).toBeGreaterThan(0);
    await conversation.sendText('a text from alice');
    await heard.waitFor((h) => h.event.body.text === 'a text from alice', 'her own text back');

    const bobToken = await successorToken(app, 'bob');
    const res = await server.call('POST', `/v1/conversations/${cid}/events`, {
      token: bobToken,
      body: { type: 'text', body: { text: 'hi from bob' } },
    });
    expect(res.status).toBe(201);
    const fromBob = await heard.waitFor((h) => h.event.body.text === 'hi from bob', "bob's text");
    // A Stitch-era text stays a text for nexmo-client, whose sendText apps listen for `text`.
    expect(fromBob).toMatchObject({ type: 'text', sender: { userName: 'bob' } });
    expect(heard.items.map((h) => `${h.type}:${h.event.body.text}`)).toEqual([
      'message:a message from alice',
      'text:a text from alice',
      'text:hi from bob',
    ]);

    for (let i = 0; i < 4; i++) await conversation.sendMessage({ message_type: 'text', text: `line ${i}` });
    await heard.waitFor((h) => h.event.body.text === 'line 3', 'the last line');

    const texts: string[] = [];
    let page = await conversation.getEvents({ page_size: 2, order: 'asc' });
    let pages = 1;
    for (;;) {
      for (const event of page.items.values()) if (event.body.text) texts.push(event.body.text);
      if (!page.hasNext()) break;
      page = await page.getNext();
      pages++;
    }
    expect(pages).toBeGreaterThan(3);
    expect(texts).toEqual([
      'a message from alice',
      'a text from alice',
      'hi from bob',
      'line 0',
      'line 1',
      'line 2',
      'line 3',
    ]);

    await fromBob.event.seen();
    const receipts = await server.call('GET', `/v1/conversations/${cid}/events?event_type=text:seen`, {
      token: bobToken,
    });
    const { _embedded } = (await receipts.json()) as { _embedded: { from: string; body: unknown }[] };
    expect(_embedded).toEqual([
      expect.objectContaining({ from: conversation.me?.id, body: { event_id: fromBob.event.id } }),
    ]);
    await client.deleteSession();
  });

  it('creates a conversation, joins, invites, lists members and leaves', async () => {
    await tutorialRoom(server, app, ['dora']);
    const client = nexmoClient(server.url);
    const application = await client.createSession(await successorToken(app, 'dora'));
    const conversation = await application.newConversation({ display_name: 'Side room' });
    expect(conversation.id).toMatch(/^CON-/);
    expect((await conversation.join()).state).toBe('JOINED');
    expect((await conversation.invite({ user_name: 'bob' })).state).toBe('INVITED');
    const members = await conversation.getMembers({ page_size: 10, order: 'asc' });
    expect([...members.items.values()].map((m) => [m.user.name, m.state])).toEqual([
      ['dora', 'JOINED'],
      ['bob', 'INVITED'],
    ]);
    await conversation.leave();
    await client.deleteSession();
  });

  it('types, sends custom events, deletes events, reads users and sessions, updates its token', async () => {
    const { cid: room, userIds } = await tutorialRoom(server, app, ['gus', 'hal']);
    const gus = nexmoClient(server.url);
    const hal = nexmoClient(server.url);
    const gusApp = await gus.createSession(await successorToken(app, 'gus'));
    const halApp = await hal.createSession(await successorToken(app, 'hal'));
    const gusRoom = await gusApp.getConversation(room);
    const halRoom = await halApp.getConversation(room);
    const atHal = new Inbox<{ type: string; event: NexmoEvent }>();
    for (const type of ['text:typing:on', 'poll', 'event:delete', 'text'])
      halRoom.on(type, (_sender, event) => atHal.push({ type, event }));

    await gusRoom.startTyping();
    await atHal.waitFor((h) => h.type === 'text:typing:on', 'typing');
    await gusRoom.sendCustomEvent({ type: 'poll', body: { question: 'tea?' } });
    // nexmo-client emits `custom:poll` as `poll`.
    await atHal.waitFor((h) => h.type === 'poll', 'the poll');
    const { id } = await gusRoom.sendText('soon gone');
    await atHal.waitFor((h) => h.type === 'text' && h.event.id === id, 'the text');
    const own = (await gusRoom.getEvents({ page_size: 100, order: 'asc' })).items.get(id) as
      (NexmoEvent & { del(): Promise<unknown> }) | undefined;
    expect(own).toBeDefined();
    await own!.del();
    await atHal.waitFor((h) => h.type === 'event:delete', 'the deletion');

    expect(await gusApp.getUser()).toMatchObject({ id: userIds.get('gus'), name: 'gus' });
    const sessions = await gusApp.getUserSessions();
    expect(sessions.items.size).toBe(1);
    await gusApp.updateToken(await successorToken(app, 'gus'));
    await gus.deleteSession();
    await hal.deleteSession();
  });
});
