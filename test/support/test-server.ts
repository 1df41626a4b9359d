import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateRsaKeyPair } from '../../src/core/auth/rsa-key-pair.js';
import { signToken as signJwt, type TokenClaims } from '../../src/core/auth/sign-token.js';
import { TUTORIAL_ACL } from '../../src/core/auth/tutorial-acl.js';
import { startParley, type ParleyServer } from '../../src/server/parley-server.js';
import type { WebhookSeams } from '../../src/server/webhooks/start-webhooks.js';
import { resolveServerConfig, type ServerConfig } from '../../src/server/config.js';
import type { Clock } from '../../src/core/clock.js';

export const API_KEY = 'testkey';
export const API_SECRET = 'test-secret-123';

export { TUTORIAL_ACL };

export interface TestApp {
  id: string;
  privateKey: string;
  publicKey: string;
}

export interface TestServer extends ParleyServer {
  dataDir: string;
  /** Creates an application through the /v2 API with a fresh key pair. */
  createApp(name?: string): Promise<TestApp>;
  /** Calls the API; `token` adds a bearer header, a `basic` flag the API key. */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; basic?: boolean },
  ): Promise<Response>;
  /** Creates a conversation in `app` with these users (made here) joined to it. */
  createRoom(app: TestApp, names: string[], options?: RoomOptions): Promise<Room>;
  stop(): Promise<void>;
}

export interface RoomOptions {
  name?: string;
  display_name?: string;
  /** Users made in the application too, but not members of the room. */
  outsiders?: string[];
}

export interface Room {
  cid: string;
  /** User ids by name, joined members and outsiders alike. */
  userIds: Map<string, string>;
  /** Member ids by user name. */
  memberIds: Map<string, string>;
}

/**
 * Wall time that a test can move on: `advance(ms)` jumps ahead and runs every timer now due, so a token can
 * lapse or a rate limit refill without the test sleeping. Timers also fire on their own at the real time.
 */
export class TestClock implements Clock {
  private offset = 0;
  private readonly timers = new Set<{ at: number; fire: () => void }>();

  now(): number {
    return Date.now() + this.offset;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer = {
      at: this.now() + ms,
      fire: () => {
        if (!this.timers.delete(timer)) return;
        clearTimeout(real);
        fn();
      },
    };
    const real = setTimeout(timer.fire, ms);
    real.unref();
    this.timers.add(timer);
    return () => {
      this.timers.delete(timer);
      clearTimeout(real);
    };
  }

  advance(ms: number): void {
    this.offset += ms;
    const due = [...this.timers].filter((t) => t.at <= this.now()).sort((a, b) => a.at - b.at);
    for (const timer of due) timer.fire();
  }
}

export interface TestServerOptions {
  /** Time for token expiry, rate limits and realtime timers (a `TestClock` to move it on). */
  clock?: Clock;
  /** Deterministic jitter and time for webhook retries. */
  webhooks?: WebhookSeams;
}

export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-test-'));
  const config = {
    ...resolveServerConfig({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent' }, {}),
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    ...overrides,
  };
  const server = await startParley(config, undefined, options);
  const basic = `Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}`;

  const call: TestServer['call'] = (method, path, options = {}) => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.basic) headers.authorization = basic;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${server.url}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  };

  const createApp = async (name = 'Test App'): Promise<TestApp> => {
    const { publicKey, privateKey } = generateRsaKeyPair();
    const res = await call('POST', '/v2/applications', {
      basic: true,
      body: { name, type: 'rtc', keys: { public_key: publicKey } },
    });
    if (res.status !== 201) throw new Error(`createApp: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { id: string };
    return { id: body.id, privateKey, publicKey };
  };

  const createRoom: TestServer['createRoom'] = async (app, names, options = {}) => {
    const token = await appToken(app);
    const post = async (path: string, body: unknown) => {
      const res = await call('POST', path, { token, body });
      if (res.status !== 201) throw new Error(`createRoom: POST ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string };
    };
    const { name, display_name, outsiders = [] } = options;
    const cid = (await post('/v1/conversations', { name, display_name })).id;
    const userIds = new Map<string, string>();
    const memberIds = new Map<string, string>();
    for (const user of [...names, ...outsiders])
      userIds.set(user, (await post('/v1/users', { name: user })).id);
    for (const user of names) {
      const member = await post(`/v1/conversations/${cid}/members`, {
        user: { name: user },
        state: 'JOINED',
      });
      memberIds.set(user, member.id);
    }
    return { cid, userIds, memberIds };
  };

  return Object.assign(server, {
    dataDir,
    call,
    createApp,
    createRoom,
    stop: async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}

/** Signs a token the way the tutorial's CLI and @vonage/jwt do; `claims` override or add (undefined removes). */
export const signToken = (app: TestApp, claims: TokenClaims = {}): Promise<string> =>
  Promise.resolve(signJwt(app.privateKey, { application_id: app.id, ...claims }, { ttlSeconds: 3600 }));

export const appToken = (app: TestApp) => signToken(app);
export const userToken = (app: TestApp, name: string) => signToken(app, { sub: name, acl: TUTORIAL_ACL });
