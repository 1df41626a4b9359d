import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ConnectionState,
  ParleyClientError,
  TextEvent,
  type Application,
  type Conversation,
  type ConversationClientOptions,
  type ConversationEvent,
  type Member,
} from '../../src/client/index.js';
import { waitFor } from '../support/wait.js';
import { createClient, nextState, roundTrip, type TestClient } from './helpers.js';

/**
 * What the SDK does for its users, as one suite run against every server it is tested with: the in-process
 * fake (test/client/fake-server.ts) and the real Parley server. A behaviour the fake gets wrong fails here
 * against the fake, so the fake cannot drift from the server its other tests stand in for.
 */

export type UserName = 'alice' | 'bob' | 'carol';

/** A conversation made for one test. */
export interface Room {
  cid: string;
  name: string;
  display_name: string;
  /** alice's and bob's (joined) member ids; carol is not in it. */
  memberIds: ReadonlyMap<UserName, string>;
}

/** A server with three users, alice, bob and carol (display names Alice, Bob and Carol). */
export interface SdkWorld {
  /** The base URL the SDK connects to. */
  url: string;
  token(user: UserName): Promise<string>;
  userId(user: UserName): string;
  /** A new conversation with a unique name, alice and bob joined to it. */
  createRoom(): Promise<Room>;
  stop(): Promise<void>;
}

const ISO = /^\d{4}-\d\d-\d\dT[\d:.]+Z$/;

export function runSdkScenarios(label: string, start: () => Promise<SdkWorld>): void {
  describe(`the SDK against ${label}`, () => {
    let world: SdkWorld;
    let room: Room;
    const clients: TestClient[] = [];

    beforeAll(async () => {
      world = await start();
    });
    beforeEach(async () => {
      room = await world.createRoom();
    });
    afterEach(async () => {
      for (const tc of clients.splice(0)) await tc.client.logout();
    });
    afterAll(() => world?.stop());

    const memberId = (user: UserName): string => room.memberIds.get(user) ?? '';

    async function login(
      user: UserName,
      options: ConversationClientOptions = {},
    ): Promise<{ tc: TestClient; app: Application }> {
      const tc = createClient(world.url, options);
      clients.push(tc);
      return { tc, app: await tc.client.login(await world.token(user)) };
    }

    async function open(
      user: UserName,
      options: ConversationClientOptions = {},
    ): Promise<{ tc: TestClient; app: Application; conversation: Conversation }> {
      const { tc, app } = await login(user, options);
      return { tc, app, conversation: await app.getConversation(room.cid) };
    }

    it('lists your conversations at login, with your membership', async () => {
      const { app } = await login('alice');
      const listed = app.conversations.get(room.cid);
      expect(listed).toMatchObject({ name: room.name, display_name: room.display_name, loadState: 'listed' });
      expect(listed?.me).toMatchObject({ id: memberId('alice'), state: 'JOINED' });
      expect(await app.getConversations()).toBe(app.conversations);
    });

    it('gets a conversation with its members, their presence and recent history', async () => {
      const { conversation: bobs } = await open('bob');
      const { app, conversation } = await open('alice');
      expect(bobs.id).toBe(conversation.id);
      expect(conversation.loadState).toBe('loaded');
      expect(app.me).toEqual({ id: world.userId('alice'), name: 'alice', display_name: 'Alice' });
      expect(conversation.me?.user).toEqual(app.me);
      expect(conversation.me?.id).toBe(memberId('alice'));
      const bob = conversation.members.get(memberId('bob'));
      expect(bob).toMatchObject({
        state: 'JOINED',
        online: true,
        user: { name: 'bob', display_name: 'Bob' },
      });
      expect(bob?.timestamp.joined).toMatch(ISO);
      const joins = [...conversation.events.values()].filter((e) => e.type === 'member:joined');
      expect(joins.map((e) => e.from)).toEqual([memberId('alice'), memberId('bob')]);
      const ids = [...conversation.events.keys()];
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(conversation.sequence_number).toBe(ids.at(-1));
    });

    it('sends a text: resolves with the stored event, every member hears it once, and it is marked delivered', async () => {
      const { conversation: bobs } = await open('bob');
      const { conversation } = await open('alice');
      const heardByBob: [Member | null, TextEvent][] = [];
      bobs.on('text', (sender, event) => heardByBob.push([sender, event]));
      const echoed: TextEvent[] = [];
      conversation.on('text', (_, event) => echoed.push(event));
      const before = conversation.sequence_number;

      const sent = await conversation.sendText('hello');
      expect(sent).toBeInstanceOf(TextEvent);
      expect(sent).toMatchObject({ id: before + 1, from: memberId('alice'), body: { text: 'hello' } });
      expect(sent.timestamp).toMatch(ISO);

      await waitFor(() => heardByBob.length === 1 && echoed.length === 1, 3000, 'the text at both ends');
      const [sender, event] = heardByBob[0] ?? [];
      expect(sender?.user.name).toBe('alice');
      expect(event).toMatchObject({ id: sent.id, body: { text: 'hello' } });
      expect(echoed[0]).toBe(sent);
      expect(conversation.events.get(sent.id)).toBe(sent);
      await waitFor(() => sent.state.delivered_to[memberId('bob')], 3000, "bob's delivery receipt");
    });

    it('tells the others when you start and stop typing', async () => {
      const { conversation: bobs } = await open('bob');
      const { conversation } = await open('alice');
      const typing: string[] = [];
      bobs.on('text:typing:on', (sender) => typing.push(`on:${sender?.user.name}`));
      bobs.on('text:typing:off', (sender) => typing.push(`off:${sender?.user.name}`));
      const stored = bobs.events.size;
      await conversation.startTyping();
      await conversation.stopTyping();
      await waitFor(() => typing.length === 2, 3000, 'both typing events');
      expect(typing).toEqual(['on:alice', 'off:alice']);
      expect(bobs.events.size).toBe(stored);
    });

    it('marks a message seen on request, once', async () => {
      const { conversation: bobs } = await open('bob');
      const { conversation } = await open('alice');
      const seen: ConversationEvent[] = [];
      conversation.on('text:seen', (_, event) => seen.push(event));
      const sent = await conversation.sendText('read me');

      const received = await waitFor(() => bobs.events.get(sent.id), 3000, 'the text at bob');
      expect(received).toBeInstanceOf(TextEvent);
      await (received as TextEvent).seen();
      await waitFor(() => seen.length === 1, 3000, 'the seen receipt');
      expect(seen[0]).toBe(sent);
      expect(sent.state.seen_by[memberId('bob')]).toMatch(ISO);
      await expect((received as TextEvent).seen()).rejects.toMatchObject({ type: 'error:already-seen' });
      await expect(sent.seen()).rejects.toBeInstanceOf(ParleyClientError);
    });

    it('deletes a message: it is blanked for everyone', async () => {
      const { conversation: bobs } = await open('bob');
      const { conversation } = await open('alice');
      const sent = await conversation.sendText('oops');
      const deleted = new Promise<ConversationEvent>((resolve) =>
        bobs.on('event:delete', (_, e) => resolve(e)),
      );
      await sent.del();
      const target = await deleted;
      expect(target).toBeInstanceOf(TextEvent);
      expect(target).toBe(bobs.events.get(sent.id));
      expect((target as TextEvent).body.text).toBe('');
      expect((target as TextEvent).state.deleted).toMatch(ISO);
    });

    it('invites someone, who hears of it, joins and leaves, keeping members and their states current', async () => {
      const { conversation } = await open('alice');
      const memberEvents: string[] = [];
      const record = (type: string) => (member: Member) => memberEvents.push(`${type}:${member.user.name}`);
      conversation.on('member:invited', record('invited'));
      conversation.on('member:joined', record('joined'));
      conversation.on('member:left', record('left'));

      const { app: carolsApp } = await login('carol');
      const invitation = new Promise<[Member, ConversationEvent]>((resolve) =>
        carolsApp.on('member:invited', (m, e) => resolve([m, e])),
      );
      const invited = await conversation.invite({ user_name: 'carol' });
      expect(invited).toMatchObject({ state: 'INVITED', user: { name: 'carol' } });
      expect(conversation.members.get(invited.id)).toBe(invited);

      const [carolMember, event] = await invitation;
      expect(event.type).toBe('member:invited');
      expect(carolMember).toMatchObject({ id: invited.id, invited_by: 'alice' });
      const carols = carolMember.conversation;
      expect(carols).toBe(carolsApp.conversations.get(room.cid));
      expect(carols.me).toBe(carolMember);

      const joined = await carols.join();
      expect(joined).toMatchObject({ id: invited.id, state: 'JOINED' });
      await waitFor(() => conversation.members.get(invited.id)?.state === 'JOINED', 3000, 'carol joined');

      await carols.leave();
      expect(carols.me?.state).toBe('LEFT');
      await waitFor(() => memberEvents.length === 3, 3000, 'three member events');
      expect(memberEvents).toEqual(['invited:carol', 'joined:carol', 'left:carol']);
      expect(conversation.members.get(invited.id)?.state).toBe('LEFT');
    });

    it('keeps members current as someone leaves and joins again', async () => {
      const { conversation: alices } = await open('alice');
      const { conversation: bobs } = await open('bob');
      const changes: string[] = [];
      alices.on('member:left', (m) => changes.push(`left:${m.user.name}`));
      alices.on('member:joined', (m) => changes.push(`joined:${m.user.name}`));

      await bobs.leave();
      expect(bobs.me?.state).toBe('LEFT');
      await waitFor(() => changes.length === 1, 3000, 'bob left');
      expect(alices.members.get(memberId('bob'))?.state).toBe('LEFT');

      await bobs.join();
      expect(bobs.me?.state).toBe('JOINED');
      await waitFor(() => changes.length === 2, 3000, 'bob back');
      expect(changes).toEqual(['left:bob', 'joined:bob']);
      expect(alices.members.get(memberId('bob'))?.state).toBe('JOINED');
    });

    it('sees who is online as they log in and out', async () => {
      const { conversation: alices } = await open('alice');
      const bob = alices.members.get(memberId('bob'));
      // A session of bob's from an earlier test may still be closing.
      await waitFor(() => bob?.online === false, 3000, 'bob offline');
      const { tc } = await login('bob');
      await waitFor(() => bob?.online === true, 3000, 'bob online');
      await tc.client.logout();
      await waitFor(() => bob?.online === false, 3000, 'bob offline again');
    });

    it('creates a conversation, joins it, and deletes it', async () => {
      const { app } = await login('alice');
      const name = `${room.name}-fresh`;
      const created = await app.newConversationAndJoin({ name, display_name: 'Fresh' });
      expect(created).toMatchObject({ name, display_name: 'Fresh', loadState: 'loaded' });
      expect(created.me?.state).toBe('JOINED');
      expect(app.conversations.get(created.id)).toBe(created);
      await created.sendText('first');
      await created.del();
      expect(created.loadState).toBe('closed');
      expect(app.conversations.has(created.id)).toBe(false);
    });

    it('fetches a user', async () => {
      const { app } = await login('alice');
      expect(await app.getUser(world.userId('bob'))).toEqual({
        id: world.userId('bob'),
        name: 'bob',
        display_name: 'Bob',
      });
      expect(await app.getUser()).toEqual(app.me);
    });

    it('catches up, exactly once and in order, on what was sent while its socket was down', async () => {
      const { tc, conversation: alices } = await open('alice', {
        reconnect: { minDelayMs: 300, maxDelayMs: 400 },
      });
      const { conversation: bobs } = await open('bob');
      const texts: string[] = [];
      const ids: number[] = [];
      alices.on('text', (_, event) => {
        texts.push(event.body.text);
        ids.push(event.id);
      });
      await bobs.sendText('before');
      await waitFor(() => texts.length === 1, 3000, 'the first text');

      tc.sockets.at(-1)?.terminate();
      await nextState(tc.client, ConnectionState.Connecting);
      for (let i = 1; i <= 5; i++) await bobs.sendText(`missed ${i}`);
      await nextState(tc.client, ConnectionState.Connected);
      await bobs.sendText('after');
      await waitFor(() => texts.length === 7, 3000, 'seven texts');
      expect(texts).toEqual(['before', 'missed 1', 'missed 2', 'missed 3', 'missed 4', 'missed 5', 'after']);
      // In increasing order, not consecutive: Alice's delivery receipts are stored events between the texts.
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('sends a text written while disconnected, once, when the connection is back', async () => {
      const { tc, conversation: alices } = await open('alice', {
        reconnect: { minDelayMs: 200, maxDelayMs: 300 },
      });
      const { app: bobsApp, conversation: bobs } = await open('bob');
      const heard: string[] = [];
      bobs.on('text', (_, event) => heard.push(event.body.text));
      tc.sockets.at(-1)?.terminate();
      await nextState(tc.client, ConnectionState.Connecting);
      const sent = await alices.sendText('queued while offline');
      await waitFor(() => heard.includes('queued while offline'), 3000, 'the queued text at bob');
      await roundTrip(bobsApp);
      expect(heard.filter((t) => t === 'queued while offline')).toHaveLength(1);
      expect(await waitFor(() => alices.events.get(sent.id), 3000, 'the text at alice')).toBe(sent);
    });
  });
}
