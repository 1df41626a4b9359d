import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConnectionError,
  ConnectionErrorCode,
  ConnectionState,
  ParleyApiError,
  ParleyClientError,
  type TextEvent,
} from '../../src/client/index.js';
import { FakeServer, type FakeConversation, type FakeUser } from './fake-server.js';
import { waitFor } from '../support/wait.js';
import { createClient, nextState, roundTrip, type TestClient } from './helpers.js';

describe('requests', () => {
  let server: FakeServer;
  let alice: FakeUser;
  let conv: FakeConversation;
  let tc: TestClient;

  beforeEach(async () => {
    server = await FakeServer.start();
    alice = server.addUser('alice');
    conv = server.addConversation('chat');
    server.setMember(conv, alice, 'JOINED');
    tc = createClient(server.url);
  });
  afterEach(async () => {
    await tc.client.logout();
    await server.stop();
  });

  /** Drops the connection and keeps the client reconnecting until `refused` more attempts have failed. */
  async function goOffline(refused = 3): Promise<void> {
    server.refuseConnections = refused;
    server.dropAll();
    await nextState(tc.client, ConnectionState.Connecting);
  }

  it('carries the server error code, description and retry hint in a ParleyApiError', async () => {
    const app = await tc.client.login(alice.token);
    const conversation = await app.getConversation(conv.id);
    const error = await conversation.invite({ user_name: 'nobody' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParleyApiError);
    expect(error).toMatchObject({
      code: 'user:error:not-found',
      description: 'User not found',
      retryable: false,
    });

    server.intercept = (r) =>
      r.type === 'user:get'
        ? {
            reply: {
              type: 'system:error:rate-limited',
              code: 'system:error:rate-limited',
              description: 'Slow down',
              body: { retry_after: 3 },
            },
          }
        : undefined;
    const limited = await app.getUser().catch((e: unknown) => e);
    expect(limited).toMatchObject({ name: 'ParleyApiError', retryAfter: 3, retryable: true });
  });

  it('rejects a request in flight with a temporary ConnectionError when the connection drops', async () => {
    const app = await tc.client.login(alice.token);
    server.intercept = (r) => (r.type === 'user:get' ? 'close' : undefined);
    const error = await app.getUser().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: ConnectionErrorCode.transportClosed, temporary: true });
  });

  it('rejects a request the server never answers with a timeout', async () => {
    tc = createClient(server.url, { requestTimeoutMs: 150 });
    const app = await tc.client.login(alice.token);
    server.intercept = (r) => (r.type === 'user:get' ? 'ignore' : undefined);
    const error = await app.getUser().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConnectionError', code: ConnectionErrorCode.timeout });
  });

  it('sends a text written while disconnected exactly once, after the reconnect', async () => {
    const app = await tc.client.login(alice.token);
    const conversation = await app.getConversation(conv.id);
    await goOffline();
    const sent = conversation.sendText('written offline');
    await nextState(tc.client, ConnectionState.Connected);
    const event = await sent;
    expect(event).toMatchObject({ id: 2, body: { text: 'written offline' } });
    expect(server.requestsOf('text')).toHaveLength(1);
    expect(conv.events.filter((e) => e.type === 'text')).toHaveLength(1);
  });

  it('resends an unanswered text after a reconnect with the same client_ref, and it is stored once', async () => {
    const app = await tc.client.login(alice.token);
    const conversation = await app.getConversation(conv.id);
    const texts: TextEvent[] = [];
    conversation.on('text', (_, e) => texts.push(e));
    let first = true;
    server.intercept = (r) => {
      if (r.type !== 'text' || !first) return undefined;
      first = false;
      return 'commit-then-close';
    };
    const event = await conversation.sendText('hello once');
    const sends = server.requestsOf('text');
    expect(sends).toHaveLength(2);
    expect(sends[0]?.client_ref).toMatch(/^[0-9a-f-]{36}$/);
    expect(sends[1]?.client_ref).toBe(sends[0]?.client_ref);
    expect(sends[1]?.tid).not.toBe(sends[0]?.tid);
    expect(conv.events.filter((e) => e.type === 'text')).toHaveLength(1);
    expect(event.id).toBe(2);
    await waitFor(() => texts.length === 1);
    // The reconnect's catch-up could deliver it again: wait until the server has its fetch, then past the reply.
    await waitFor(() => server.requestsOf('conversation:events').some((r) => r.body?.start_id !== undefined));
    await roundTrip(app);
    expect(texts).toEqual([event]);
  });

  it('fails queued and in-flight requests with a permanent ConnectionError on logout', async () => {
    const app = await tc.client.login(alice.token);
    const conversation = await app.getConversation(conv.id);
    await goOffline(1000);
    const queued = conversation.sendText('never sent').catch((e: unknown) => e);
    const read = app.getUser().catch((e: unknown) => e);
    await tc.client.logout();
    for (const error of [await queued, await read]) {
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: ConnectionErrorCode.disconnected, temporary: false });
    }
  });

  it('drops typing indications while disconnected instead of queueing them', async () => {
    const app = await tc.client.login(alice.token);
    const conversation = await app.getConversation(conv.id);
    await goOffline();
    await conversation.startTyping();
    await conversation.stopTyping();
    await nextState(tc.client, ConnectionState.Connected);
    // Anything queued while offline goes out before a request made now.
    await roundTrip(app);
    expect(server.requestsOf('text:typing:on')).toHaveLength(0);
    await conversation.startTyping();
    expect(server.requestsOf('text:typing:on')).toHaveLength(1);
  });

  it('answers every request: many concurrent reads all settle across a dropped connection', async () => {
    const app = await tc.client.login(alice.token);
    let n = 0;
    server.intercept = (r) => (r.type === 'user:get' && ++n === 10 ? 'close' : undefined);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => app.getUser()));
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ConnectionError);
    }
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(9);
  });

  it('refuses to send in a conversation you are not in, without asking the server', async () => {
    const app = await tc.client.login(alice.token);
    const conversation = await app.newConversation({ name: 'mine' });
    expect(conversation.me).toBeNull();
    await expect(conversation.sendText('x')).rejects.toBeInstanceOf(ParleyClientError);
    expect(server.requestsOf('text')).toHaveLength(0);
  });
});
