import { createPrivateKey, type KeyObject } from 'node:crypto';
import { Agent, request } from 'node:http';
import { generateRsaKeyPair } from '../../src/core/auth/rsa-key-pair.js';
import { signToken } from '../../src/core/auth/sign-token.js';
import { TUTORIAL_ACL } from '../../src/core/auth/tutorial-acl.js';
import { mapLimit } from './launch.js';

export const BENCH_API_KEY = 'bench-key';
export const BENCH_API_SECRET = 'bench-secret-123';

export interface BenchApp {
  id: string;
  privateKeyPem: string;
}

export interface SeededRoom {
  cid: string;
  /** User names, in order; their member ids in the same order. */
  users: string[];
  memberIds: string[];
}

/** Creates applications, users, conversations and members over Parley's REST API, with keep-alive and bounded concurrency. */
export class ParleyAdmin {
  private readonly key: KeyObject;
  private appTokenCache: { token: string; until: number } | undefined;

  private constructor(
    readonly baseUrl: string,
    readonly app: BenchApp,
  ) {
    this.key = createPrivateKey(app.privateKeyPem);
  }

  /** Registers a fresh application with an RSA key through POST /v2/applications (HTTP Basic). */
  static async createApp(baseUrl: string): Promise<ParleyAdmin> {
    const { publicKey, privateKey } = generateRsaKeyPair();
    const res = await httpJson(
      `${baseUrl}/v2/applications`,
      'POST',
      `Basic ${Buffer.from(`${BENCH_API_KEY}:${BENCH_API_SECRET}`).toString('base64')}`,
      { name: 'bench', type: 'rtc', keys: { public_key: publicKey } },
    );
    if (res.status !== 201) throw new Error(`create application: ${res.status} ${res.text}`);
    const { id } = JSON.parse(res.text) as { id: string };
    return new ParleyAdmin(baseUrl, { id, privateKeyPem: privateKey });
  }

  static forApp(baseUrl: string, app: BenchApp): ParleyAdmin {
    return new ParleyAdmin(baseUrl, app);
  }

  /** An RS256 JWT: application_id, iat, exp, jti and, for a user, sub and acl. */
  token(user?: string, lifetimeS = 6 * 3600): string {
    const claims = user === undefined ? {} : { sub: user, acl: TUTORIAL_ACL };
    return signToken(this.key, { application_id: this.app.id, ...claims }, { ttlSeconds: lifetimeS });
  }

  private appToken(): string {
    if (!this.appTokenCache || this.appTokenCache.until < Date.now()) {
      this.appTokenCache = { token: this.token(undefined, 3600), until: Date.now() + 1800_000 };
    }
    return this.appTokenCache.token;
  }

  async call<T>(method: string, path: string, body?: unknown, expect = [200, 201]): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const res = await httpJson(`${this.baseUrl}${path}`, method, `Bearer ${this.appToken()}`, body);
      if (expect.includes(res.status)) return JSON.parse(res.text) as T;
      // Rate limiting, if the server has it, is not what setup measures: wait and retry.
      if (res.status === 429 && attempt < 50) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    }
  }

  async createUsers(names: readonly string[], concurrency = 32): Promise<void> {
    await mapLimit(names, concurrency, (name) => this.call('POST', '/v1/users', { name }));
  }

  /** Creates one conversation per group and adds its users as JOINED members. */
  async createRooms(groups: readonly (readonly string[])[], concurrency = 32): Promise<SeededRoom[]> {
    const cids = await mapLimit(
      groups,
      concurrency,
      async () => (await this.call<{ id: string }>('POST', '/v1/conversations', {})).id,
    );
    const pairs = groups.flatMap((users, g) => users.map((user) => ({ g, user })));
    const memberIds = await mapLimit(pairs, concurrency, async ({ g, user }) => {
      const member = await this.call<{ id: string }>('POST', `/v1/conversations/${cids[g]}/members`, {
        user: { name: user },
        state: 'JOINED',
      });
      return member.id;
    });
    let k = 0;
    return groups.map((users, g) => ({
      cid: cids[g] ?? '',
      users: [...users],
      memberIds: users.map(() => memberIds[k++] ?? ''),
    }));
  }

  /** Posts a text event into a conversation as one of its members (application token). */
  async postText(cid: string, memberId: string, text: string): Promise<number> {
    const event = await this.call<{ id: number }>('POST', `/v1/conversations/${cid}/events`, {
      type: 'text',
      from: memberId,
      body: { text },
    });
    return event.id;
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** A keep-alive HTTP/1.1 JSON call; much cheaper per request than fetch, which matters for thousands of setup calls. */
function httpJson(
  url: string,
  method: string,
  authorization: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: {
          authorization,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
