import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConnectionError,
  ConnectionState,
  DisconnectedCode,
  ParleyApiError,
  type StateChange,
} from '../../src/client/index.js';
import { CLOSE_CODES } from '../../src/protocol/realtime.js';
import { FakeServer, type FakeUser } from './fake-server.js';
import { waitFor } from '../support/wait.js';
import { createClient, nextState, type TestClient } from './helpers.js';

describe('the connection state machine', () => {
  let server: FakeServer;
  let alice: FakeUser;

  beforeEach(async () => {
    server = await FakeServer.start();
    alice = server.addUser('alice', 'Alice');
  });
  afterEach(async () => {
    vi.useRealTimers();
    await server.stop();
  });

  const transitions = (states: StateChange[]) => states.map((s) => `${s.newState}:${s.code}`);

  /**
   * A client whose timers (reconnect backoff, request timeouts, heartbeat) run on a fake clock, so a test can
   * let any amount of time pass at once. Sockets stay real.
   */
  function clientOnFakeTimers(): TestClient {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    return createClient(server.url);
  }

  /** Lets far more than the longest reconnect delay pass: a scheduled reconnect would open a socket. */
  async function expectNoReconnect(tc: TestClient): Promise<void> {
    const opened = tc.sockets.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(tc.sockets).toHaveLength(opened);
  }

  it('goes connecting then connected on login, with the user as app.me', async () => {
    const { client, states } = createClient(server.url);
    const app = await client.login(alice.token);
    expect(app.me).toEqual({ id: alice.id, name: 'alice', display_name: 'Alice' });
    expect(client.state).toBe(ConnectionState.Connected);
    expect(transitions(states)).toEqual(['connecting:login-called', 'connected:logged-in']);
    expect(states[0]).toMatchObject({ oldState: 'disconnected', newState: 'connecting' });
    await client.logout();
  });

  it('reports the state on the Application too', async () => {
    const { client } = createClient(server.url);
    const app = await client.login(alice.token);
    const seen: string[] = [];
    app.on('state', (c) => seen.push(c.newState));
    server.dropAll();
    await waitFor(() => seen.includes('connected'));
    expect(seen).toEqual(['connecting', 'connected']);
    await client.logout();
  });

  it('reconnects after the server drops it and logs in again with the current token', async () => {
    const { client, states } = createClient(server.url);
    await client.login(alice.token);
    server.dropAll();
    await nextState(client, ConnectionState.Connected);
    expect(transitions(states).slice(2)).toEqual(['connecting:transport-closed', 'connected:logged-in']);
    const logins = server.requestsOf('session:login');
    expect(logins).toHaveLength(2);
    expect(logins.map((l) => l.body?.token)).toEqual([alice.token, alice.token]);
    await client.logout();
  });

  it('backs off between failed reconnect attempts, within the configured bounds', async () => {
    const { client } = createClient(server.url, { reconnect: { minDelayMs: 40, maxDelayMs: 120 } });
    await client.login(alice.token);
    const before = server.connectionTimes.length;
    server.refuseConnections = 4;
    server.dropAll();
    await nextState(client, ConnectionState.Connected);
    const times = server.connectionTimes.slice(before - 1);
    expect(times).toHaveLength(6);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(35);
      expect(gap).toBeLessThan(120 + 100);
    }
    await client.logout();
  });

  it('reconnects when the server announces a restart', async () => {
    const { client, states } = createClient(server.url);
    await client.login(alice.token);
    for (const session of server.sessions) server.send(session, { type: 'session:reconnect', body: {} });
    await waitFor(() => states.length === 4);
    expect(transitions(states).slice(2)).toEqual(['connecting:server-restart', 'connected:logged-in']);
    await client.logout();
  });

  it('stops, without reconnecting, after the server says the token expired', async () => {
    const tc = clientOnFakeTimers();
    const { client, states } = tc;
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    await client.login(alice.token);
    const attempts = server.connectionTimes.length;
    for (const session of server.sessions) {
      server.send(session, {
        type: 'system:error:expired-token',
        body: {},
        description: 'The session token expired',
      });
      session.socket.close(CLOSE_CODES.unauthorized);
    }
    await nextState(client, ConnectionState.Disconnected);
    expect(states.at(-1)?.code).toBe(DisconnectedCode.tokenExpired);
    expect(errors[0]).toBeInstanceOf(ParleyApiError);
    expect((errors[0] as ParleyApiError).code).toBe('system:error:expired-token');
    await expectNoReconnect(tc);
    expect(server.connectionTimes.length).toBe(attempts);
  });

  it('stops, without reconnecting, when the server closes with 4001', async () => {
    const tc = clientOnFakeTimers();
    const { client, states } = tc;
    await client.login(alice.token);
    const attempts = server.connectionTimes.length;
    server.dropAll(CLOSE_CODES.unauthorized);
    await nextState(client, ConnectionState.Disconnected);
    expect(states.at(-1)?.code).toBe(DisconnectedCode.unauthorized);
    await expectNoReconnect(tc);
    expect(server.connectionTimes.length).toBe(attempts);
  });

  it('logs out: tells the server, disconnects and stays disconnected', async () => {
    const tc = clientOnFakeTimers();
    const { client, states } = tc;
    await client.login(alice.token);
    const attempts = server.connectionTimes.length;
    await client.logout();
    expect(server.requestsOf('session:logout')).toHaveLength(1);
    expect(states.at(-1)).toMatchObject({ newState: 'disconnected', code: DisconnectedCode.logout });
    expect(client.application).toBeNull();
    await expectNoReconnect(tc);
    expect(server.connectionTimes.length).toBe(attempts);
  });

  it('rejects login with the ParleyApiError the server sent, and does not retry', async () => {
    const { client, states } = createClient(server.url);
    const error = await client.login('not-a-token').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParleyApiError);
    expect(error).toMatchObject({ code: 'system:error:invalid-token', type: 'system:error:invalid-token' });
    expect(states.at(-1)).toMatchObject({ newState: 'disconnected', code: DisconnectedCode.unauthorized });
  });

  it('rejects login with a ConnectionError when nothing listens', async () => {
    const url = server.url;
    await server.stop();
    const { client, states } = createClient(url);
    const error = await client.login(alice.token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ temporary: true });
    expect(states.at(-1)).toMatchObject({ newState: 'disconnected', code: DisconnectedCode.connectFailed });
    server = await FakeServer.start();
  });

  it('logs in again with a new token after the old one expired', async () => {
    const { client } = createClient(server.url);
    const app = await client.login(alice.token);
    server.expiredTokens.add(alice.token);
    server.dropAll(CLOSE_CODES.unauthorized);
    await nextState(client, ConnectionState.Disconnected);
    alice.token = 'token-alice-2';
    await app.updateToken('token-alice-2');
    expect(client.state).toBe(ConnectionState.Connected);
    expect(server.requestsOf('session:login').at(-1)?.body?.token).toBe('token-alice-2');
    await client.logout();
  });

  it('renews the token on a live session', async () => {
    const { client } = createClient(server.url);
    const app = await client.login(alice.token);
    await app.updateToken(alice.token);
    expect(server.requestsOf('session:update-token')).toHaveLength(1);
    server.dropAll();
    await nextState(client, ConnectionState.Connected);
    await client.logout();
  });
});
