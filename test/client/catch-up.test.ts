import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionState, type Application, type Conversation, type Member } from '../../src/client/index.js';
import { FakeServer, type FakeConversation, type FakeUser } from './fake-server.js';
import { waitFor } from '../support/wait.js';
import { createClient, nextState, roundTrip, type TestClient } from './helpers.js';

describe('catching up', () => {
  let server: FakeServer;
  let alice: FakeUser;
  let bob: FakeUser;
  let conv: FakeConversation;
  let tc: TestClient;
  let app: Application;
  let conversation: Conversation;
  /** Every persisted event id alice's conversation emitted, in order. */
  let emitted: number[];

  beforeEach(async () => {
    server = await FakeServer.start();
    alice = server.addUser('alice');
    bob = server.addUser('bob');
    conv = server.addConversation('chat');
    server.setMember(conv, alice, 'JOINED');
    server.setMember(conv, bob, 'JOINED');
    say('before');
    tc = createClient(server.url);
    app = await tc.client.login(alice.token);
    conversation = await app.getConversation(conv.id);
    emitted = [];
    conversation.on('event', (_, e) => {
      if (e.id !== undefined) emitted.push(e.id);
    });
  });
  afterEach(async () => {
    await tc.client.logout();
    await server.stop();
  });

  const bobMember = () => server.memberOf(conv, bob).member_id;
  const say = (text: string, push = true) =>
    server.append(conv, { type: 'text', from: bobMember(), body: { text } }, { push });
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  /** Drops alice and holds her off for a few attempts while `whileAway` runs. */
  async function whileDisconnected(whileAway: () => void): Promise<void> {
    server.refuseConnections = 2;
    server.dropAll();
    await nextState(tc.client, ConnectionState.Connecting);
    whileAway();
    await nextState(tc.client, ConnectionState.Connected);
  }

  it('loads the recent history into events without emitting it', () => {
    expect([...conversation.events.keys()]).toEqual([1, 2, 3]);
    expect(conversation.sequence_number).toBe(3);
    expect(emitted).toEqual([]);
  });

  it('delivers every missed event exactly once and in order after a reconnect', async () => {
    const texts: string[] = [];
    conversation.on('text', (_, e) => texts.push(e.body.text));
    await whileDisconnected(() => {
      for (let i = 1; i <= 5; i++) say(`missed ${i}`, false);
    });
    say('live after');
    await waitFor(() => emitted.length === 6);
    await roundTrip(app);
    expect(emitted).toEqual(range(4, 9));
    expect(texts).toEqual(['missed 1', 'missed 2', 'missed 3', 'missed 4', 'missed 5', 'live after']);
    expect(server.requestsOf('conversation:events').map((r) => r.body?.start_id)).toContain(4);
    expect([...conversation.events.keys()]).toEqual(range(1, 9));
  });

  it('pages through a long absence', async () => {
    await whileDisconnected(() => {
      for (let i = 1; i <= 1500; i++) say(`m${i}`, false);
    });
    await waitFor(() => emitted.length === 1500, 5000);
    expect(emitted).toEqual(range(4, 1503));
    const starts = server.requestsOf('conversation:events').map((r) => r.body?.start_id);
    expect(starts).toEqual([undefined, 4, 1004]);
  });

  it('does not send delivery receipts for caught-up messages, only for live ones', async () => {
    await whileDisconnected(() => say('missed', false));
    await waitFor(() => emitted.length === 1);
    say('live');
    await waitFor(() => server.requestsOf('text:delivered').length === 1);
    expect(server.requestsOf('text:delivered')[0]?.body).toEqual({ event_id: 5 });
  });

  it('fills a gap in live events before emitting the later one', async () => {
    say('lost in transit', false);
    say('arrives');
    await waitFor(() => emitted.length === 2);
    expect(emitted).toEqual([4, 5]);
    expect(server.requestsOf('conversation:events').at(-1)?.body).toMatchObject({
      start_id: 4,
      page_size: 1,
    });
  });

  it('ignores replayed events it already delivered', async () => {
    const event = say('once');
    await waitFor(() => emitted.length === 1);
    for (const session of server.sessions) {
      server.send(session, event);
      server.send(session, conv.events[0]);
    }
    say('next');
    await waitFor(() => emitted.length === 2);
    await roundTrip(app);
    expect(emitted).toEqual([4, 5]);
  });

  it('keeps typing and other ephemeral events in arrival order behind a gap', async () => {
    const order: string[] = [];
    conversation.on('text', (_, e) => order.push(e.body.text));
    conversation.on('text:typing:on', () => order.push('typing'));
    say('gap', false);
    say('after gap');
    for (const session of server.sessions) {
      server.send(session, {
        type: 'text:typing:on',
        cid: conv.id,
        from: bobMember(),
        timestamp: '',
        body: { activity: 1 },
      });
    }
    await waitFor(() => order.length === 3);
    expect(order).toEqual(['gap', 'after gap', 'typing']);
  });

  it('catches up member changes and announces an invitation that came while offline', async () => {
    const carol = server.addUser('carol');
    const other = server.addConversation('elsewhere');
    server.setMember(other, carol, 'JOINED', { push: false });
    const invited: Member[] = [];
    app.on('member:invited', (m) => invited.push(m));
    const left: Member[] = [];
    conversation.on('member:left', (m) => left.push(m));
    await whileDisconnected(() => {
      server.setMember(conv, bob, 'LEFT', { push: false });
      server.setMember(other, alice, 'INVITED', { push: false, invitedBy: 'carol' });
    });
    await waitFor(() => left.length === 1 && invited.length === 1);
    expect(left[0]?.user.name).toBe('bob');
    expect(conversation.members.get(bobMember())?.state).toBe('LEFT');
    expect(invited[0]).toMatchObject({ state: 'INVITED', invited_by: 'carol', user: { id: alice.id } });
    expect(app.conversations.get(other.id)?.me?.state).toBe('INVITED');
  });

  it('loads a conversation it had not heard of when an event about it arrives, and announces the invitation', async () => {
    const other = server.addConversation('new one');
    server.setMember(other, bob, 'JOINED', { push: false });
    const invited = new Promise<Member>((resolve) => app.on('member:invited', (m) => resolve(m)));
    server.setMember(other, alice, 'INVITED', { invitedBy: 'bob' });
    const member = await invited;
    expect(member.conversation.id).toBe(other.id);
    expect(member.conversation.members.size).toBe(2);
    expect(app.conversations.get(other.id)?.events.size).toBe(2);
  });

  it('resumes after the token is renewed, catching up what it missed', async () => {
    server.expiredTokens.add(alice.token);
    server.dropAll(4001);
    await nextState(tc.client, ConnectionState.Disconnected);
    say('while expired', false);
    alice.token = 'renewed';
    await app.updateToken('renewed');
    await waitFor(() => emitted.length === 1);
    expect(emitted).toEqual([4]);
  });
});
