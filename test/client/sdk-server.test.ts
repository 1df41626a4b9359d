import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionState,
  DisconnectedCode,
  TextEvent,
  type Application,
  type Conversation,
  type ConversationEvent,
  type Member,
} from '../../src/client/index.js';
import {
  appToken,
  signToken,
  startTestServer,
  TUTORIAL_ACL,
  userToken,
  type TestApp,
  type TestServer,
} from '../support/test-server.js';
import { createClient, nextState, waitFor, type TestClient } from './helpers.js';

/** The SDK against the real Parley server's native transport at /ws. */
describe('the SDK against a Parley server', () => {
  let server: TestServer;
  let app: TestApp;
  let admin: string;
  let cid: string;
  const memberIds = new Map<string, string>();
  const clients: TestClient[] = [];

  const rest = async (method: string, path: string, body?: unknown, token = admin): Promise<unknown> => {
    const res = await server.call(method, path, { token, body });
    const json: unknown = res.status === 204 ? null : await res.json();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp();
    admin = await appToken(app);
    for (const name of ['alice', 'bob', 'carol'])
      await rest('POST', '/v1/users', { name, display_name: name.toUpperCase() });
    const conversation = (await rest('POST', '/v1/conversations', {
      name: 'lobby',
      display_name: 'Lobby',
    })) as { id: string };
    cid = conversation.id;
    for (const name of ['alice', 'bob']) {
      const member = (await rest('POST', `/v1/conversations/${cid}/members`, {
        user: { name },
        state: 'joined',
        channel: { type: 'app' },
      })) as { id: string };
      memberIds.set(name, member.id);
    }
    const bobToken = await userToken(app, 'bob');
    for (const text of ['first', 'second']) {
      await rest('POST', `/v1/conversations/${cid}/events`, { type: 'text', body: { text } }, bobToken);
    }
  });
  afterEach(async () => {
    for (const tc of clients.splice(0)) await tc.client.logout();
  });
  afterAll(() => server.stop());

  async function login(name: string, options: Parameters<typeof createClient>[1] = {}) {
    const tc = createClient(server.url, options);
    clients.push(tc);
    return { tc, app: await tc.client.login(await userToken(app, name)) };
  }

  async function open(
    name: string,
    options: Parameters<typeof createClient>[1] = {},
  ): Promise<{ tc: TestClient; app: Application; conversation: Conversation }> {
    const { tc, app: application } = await login(name, options);
    return { tc, app: application, conversation: await application.getConversation(cid) };
  }

  it('logs in and loads the conversation with its members and history', async () => {
    const { app: alicesApp, conversation } = await open('alice');
    expect(alicesApp.me).toMatchObject({ name: 'alice', display_name: 'ALICE' });
    expect(alicesApp.conversations.has(cid)).toBe(true);
    expect(conversation).toMatchObject({ name: 'lobby', display_name: 'Lobby' });
    expect(conversation.me?.id).toBe(memberIds.get('alice'));
    expect(conversation.members.get(memberIds.get('bob') ?? '')?.user.name).toBe('bob');
    const texts = [...conversation.events.values()]
      .filter((e) => e instanceof TextEvent)
      .map((e) => e.body.text);
    expect(texts.slice(0, 2)).toEqual(['first', 'second']);
    const ids = [...conversation.events.keys()];
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('lets two users chat: the sender gets the stored event, both hear it once', async () => {
    const { conversation: alices } = await open('alice');
    const { conversation: bobs } = await open('bob');
    const heard: [Member | null, TextEvent][] = [];
    bobs.on('text', (sender, event) => heard.push([sender, event]));
    const echoes: TextEvent[] = [];
    alices.on('text', (_, event) => echoes.push(event));

    const sent = await alices.sendText('hi bob');
    expect(sent.id).toBeGreaterThan(0);
    expect(sent.timestamp).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    await waitFor(() => heard.length === 1 && echoes.length === 1);
    expect(heard[0]?.[0]?.user.name).toBe('alice');
    expect(heard[0]?.[1]).toMatchObject({ id: sent.id, body: { text: 'hi bob' } });
    expect(echoes[0]).toBe(sent);
    await waitFor(() => sent.state.delivered_to[memberIds.get('bob') ?? '']);
  });

  it('shows typing and seen receipts', async () => {
    const { conversation: alices } = await open('alice');
    const { conversation: bobs } = await open('bob');
    const typing: string[] = [];
    alices.on('text:typing:on', (sender) => typing.push(`on:${sender?.user.name}`));
    alices.on('text:typing:off', (sender) => typing.push(`off:${sender?.user.name}`));
    await bobs.startTyping();
    await bobs.stopTyping();
    await waitFor(() => typing.length === 2);
    expect(typing).toEqual(['on:bob', 'off:bob']);

    const seen: ConversationEvent[] = [];
    alices.on('text:seen', (_, event) => seen.push(event));
    const sent = await alices.sendText('did you see this?');
    const received = await waitFor(() => bobs.events.get(sent.id));
    await (received as TextEvent).seen();
    await waitFor(() => seen.length === 1);
    expect(seen[0]).toBe(sent);
    expect(sent.state.seen_by[memberIds.get('bob') ?? '']).toBeDefined();
  });

  it('keeps members current as someone leaves and joins again', async () => {
    const { conversation: alices } = await open('alice');
    const { conversation: bobs } = await open('bob');
    const changes: string[] = [];
    alices.on('member:left', (m) => changes.push(`left:${m.user.name}`));
    alices.on('member:joined', (m) => changes.push(`joined:${m.user.name}`));

    await bobs.leave();
    expect(bobs.me?.state).toBe('LEFT');
    await waitFor(() => changes.length === 1);
    expect(alices.members.get(memberIds.get('bob') ?? '')?.state).toBe('LEFT');

    await bobs.join();
    expect(bobs.me?.state).toBe('JOINED');
    await waitFor(() => changes.length === 2);
    expect(changes).toEqual(['left:bob', 'joined:bob']);
    expect(alices.members.get(memberIds.get('bob') ?? '')?.state).toBe('JOINED');
  });

  it('announces an invitation to the invitee, who can accept it', async () => {
    const { conversation: alices } = await open('alice');
    const { app: carolsApp } = await login('carol');
    const invitation = new Promise<Member>((resolve) => carolsApp.on('member:invited', (m) => resolve(m)));
    const invited = await alices.invite({ user_name: 'carol' });
    expect(invited.state).toBe('INVITED');
    const member = await invitation;
    expect(member.conversation.id).toBe(cid);
    expect(member.invited_by).toBe('alice');
    await member.conversation.join();
    await waitFor(() => alices.members.get(invited.id)?.state === 'JOINED');
    await member.conversation.leave();
  });

  it('sees who is online', async () => {
    const { conversation: alices } = await open('alice');
    const bob = alices.members.get(memberIds.get('bob') ?? '');
    expect(bob?.online).toBe(false);
    await open('bob');
    await waitFor(() => bob?.online === true);
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
    await waitFor(() => texts.length === 1);

    tc.sockets.at(-1)?.terminate();
    await nextState(tc.client, ConnectionState.Connecting);
    for (let i = 1; i <= 5; i++) await bobs.sendText(`missed ${i}`);
    await nextState(tc.client, ConnectionState.Connected);
    await bobs.sendText('after');
    await waitFor(() => texts.length === 7);
    expect(texts).toEqual(['before', 'missed 1', 'missed 2', 'missed 3', 'missed 4', 'missed 5', 'after']);
    expect(ids.slice(1)).toEqual(ids.slice(0, -1).map((id) => id + 1));
  });

  it('sends a text written while disconnected once the connection is back', async () => {
    const { tc, conversation: alices } = await open('alice', {
      reconnect: { minDelayMs: 200, maxDelayMs: 300 },
    });
    const { conversation: bobs } = await open('bob');
    const heard: string[] = [];
    bobs.on('text', (_, event) => heard.push(event.body.text));
    tc.sockets.at(-1)?.terminate();
    await nextState(tc.client, ConnectionState.Connecting);
    const sent = await alices.sendText('queued while offline');
    await waitFor(() => heard.includes('queued while offline'));
    expect(heard.filter((t) => t === 'queued while offline')).toHaveLength(1);
    expect(sent.id).toBeGreaterThan(0);
  });

  it('stops without reconnecting when its token expires', async () => {
    const now = Math.floor(Date.now() / 1000);
    const shortLived = await signToken(app, { sub: 'alice', acl: TUTORIAL_ACL, iat: now, exp: now + 2 });
    const tc = createClient(server.url);
    clients.push(tc);
    const errors: Error[] = [];
    tc.client.on('error', (e) => errors.push(e));
    await tc.client.login(shortLived);
    const change = await nextState(tc.client, ConnectionState.Disconnected);
    expect(change.code).toBe(DisconnectedCode.tokenExpired);
    expect(errors[0]).toMatchObject({ code: 'system:error:expired-token' });
  });
});
