import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify, type JWTPayload } from 'jose';
import { ParleyError, type ErrorCode } from '../../../src/protocol/errors.js';

/** One request as the fake saw it. */
export interface SeenRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, if any. */
  body: unknown;
  /** For `/v1` requests with a valid token: its header and claims. */
  token?: { header: Record<string, unknown>; claims: JWTPayload };
}

export interface Reply {
  status: number;
  body?: unknown;
  /** Raw text instead of JSON. */
  text?: string;
}

type Json = Record<string, unknown>;

interface FakeApp {
  id: string;
  name: string;
  publicKey: string;
  body: Json;
}

export interface FakeParley {
  url: string;
  requests: SeenRequest[];
  apps: Map<string, FakeApp>;
  /** Most items the fake puts on one `/v1` page, whatever `page_size` asks, to force cursor paging. */
  pageLimit: number;
  /** Answers a request before the fake's own routes when it returns a reply. */
  intercept: ((request: SeenRequest) => Reply | undefined) | undefined;
  close(): Promise<void>;
}

export const FAKE_API_KEY = 'key-1';
export const FAKE_API_SECRET = 'secret-1';

const problem = (code: ErrorCode, detail?: string): Reply => {
  const error = new ParleyError(code, detail);
  return { status: error.status, body: error.toBody() };
};

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const send = (res: ServerResponse, reply: Reply): void => {
  if (reply.text !== undefined) {
    res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.text);
  } else if (reply.body === undefined) {
    res.writeHead(reply.status).end();
  } else {
    res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
  }
};

/** An in-test stand-in for the Parley REST API: just the routes the CLI calls, with real auth checks. */
export const startFakeParley = async (): Promise<FakeParley> => {
  const conversations = new Map<string, Json>();
  const users = new Map<string, Json>();
  const members = new Map<string, Json & { conversation_id: string }>();
  let origin = '';

  const fake: FakeParley = {
    url: '',
    requests: [],
    apps: new Map(),
    pageLimit: 100,
    intercept: undefined,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const cursorPage = (url: URL, key: string, items: Json[]): Reply => {
    const size = Math.min(Number(url.searchParams.get('page_size') ?? 10), fake.pageLimit);
    const start = Number(url.searchParams.get('cursor') ?? 0);
    const next = start + size < items.length ? start + size : undefined;
    const self = `${origin}${url.pathname}${url.search}`;
    return {
      status: 200,
      body: {
        page_size: size,
        _embedded: { [key]: items.slice(start, start + size) },
        _links: {
          self: { href: self },
          ...(next !== undefined
            ? { next: { href: `${origin}${url.pathname}?page_size=${size}&cursor=${next}` } }
            : {}),
        },
      },
    };
  };

  const basicOk = (headers: IncomingHttpHeaders): boolean =>
    headers.authorization === `Basic ${Buffer.from(`${FAKE_API_KEY}:${FAKE_API_SECRET}`).toString('base64')}`;

  const verifyBearer = async (seen: SeenRequest): Promise<Reply | undefined> => {
    const header = seen.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) return problem('system:error:missing-token');
    const token = header.slice('Bearer '.length);
    try {
      const appId = decodeJwt(token)['application_id'];
      const app = typeof appId === 'string' ? fake.apps.get(appId) : undefined;
      if (!app) return problem('system:error:unknown-application');
      const { payload } = await jwtVerify(token, await importSPKI(app.publicKey, 'RS256'));
      seen.token = { header: decodeProtectedHeader(token), claims: payload };
      return undefined;
    } catch {
      return problem('system:error:invalid-token');
    }
  };

  const applications = (seen: SeenRequest, url: URL, parts: string[]): Reply => {
    if (!basicOk(seen.headers)) return problem('system:error:invalid-credentials');
    const [id] = parts;
    if (id === undefined && seen.method === 'POST') {
      const body = seen.body as Json;
      const keys = body['keys'] as Json;
      const app: FakeApp = {
        id: randomUUID(),
        name: body['name'] as string,
        publicKey: keys['public_key'] as string,
        body: {},
      };
      app.body = {
        id: app.id,
        name: app.name,
        type: body['type'],
        keys: { public_key: app.publicKey },
        capabilities: body['capabilities'],
        _links: { self: { href: `${origin}/v2/applications/${app.id}` } },
      };
      fake.apps.set(app.id, app);
      return { status: 201, body: app.body };
    }
    if (id === undefined && seen.method === 'GET') {
      const size = Number(url.searchParams.get('page_size') ?? 10);
      const page = Number(url.searchParams.get('page') ?? 1);
      const all = [...fake.apps.values()].map((a) => a.body);
      return {
        status: 200,
        body: {
          page_size: size,
          page,
          total_items: all.length,
          total_pages: Math.ceil(all.length / size),
          _embedded: { applications: all.slice((page - 1) * size, page * size) },
        },
      };
    }
    const app = id === undefined ? undefined : fake.apps.get(id);
    if (!app) return problem('application:error:not-found');
    if (seen.method === 'DELETE') {
      fake.apps.delete(app.id);
      return { status: 204 };
    }
    return { status: 200, body: app.body };
  };

  const resource = (
    seen: SeenRequest,
    url: URL,
    store: Map<string, Json>,
    id: string | undefined,
    kind: { prefix: string; list: string; notFound: ErrorCode; create: (body: Json, id: string) => Json },
  ): Reply => {
    if (id === undefined && seen.method === 'POST') {
      const created = kind.create(seen.body as Json, `${kind.prefix}-${randomUUID()}`);
      store.set(created['id'] as string, created);
      return { status: 201, body: created };
    }
    if (id === undefined) return cursorPage(url, kind.list, [...store.values()]);
    const found = store.get(id);
    if (!found) return problem(kind.notFound);
    if (seen.method === 'DELETE') {
      store.delete(id);
      return { status: 204 };
    }
    return { status: 200, body: found };
  };

  const memberRoutes = (seen: SeenRequest, url: URL, cid: string, mid: string | undefined): Reply => {
    if (!conversations.has(cid)) return problem('conversation:error:not-found');
    if (mid === undefined && seen.method === 'POST') {
      const body = seen.body as { user: { id: string }; state: string; channel: Json };
      const user = users.get(body.user.id);
      if (!user) return problem('user:error:not-found');
      const member = {
        id: `MEM-${randomUUID()}`,
        conversation_id: cid,
        state: body.state,
        channel: body.channel,
        _embedded: { user: { id: user['id'], name: user['name'], display_name: user['display_name'] } },
      };
      members.set(member.id, member);
      return { status: 201, body: member };
    }
    if (mid === undefined) {
      return cursorPage(
        url,
        'members',
        [...members.values()].filter((m) => m.conversation_id === cid),
      );
    }
    const member = members.get(mid);
    if (!member || member.conversation_id !== cid) return problem('member:error:not-found');
    if (seen.method === 'PATCH') member['state'] = String((seen.body as Json)['state']).toUpperCase();
    return { status: 200, body: member };
  };

  const route = async (seen: SeenRequest): Promise<Reply> => {
    const url = new URL(seen.url, origin);
    const [version, collection, id, sub, subId] = url.pathname.split('/').slice(1);
    if (version === 'v2' && collection === 'applications') {
      return applications(seen, url, id === undefined ? [] : [id]);
    }
    if (version !== 'v1') return problem('http:error:not-found');
    const refused = await verifyBearer(seen);
    if (refused) return refused;
    if (collection === 'conversations' && sub === 'members' && id !== undefined) {
      return memberRoutes(seen, url, id, subId);
    }
    if (collection === 'conversations') {
      return resource(seen, url, conversations, id, {
        prefix: 'CON',
        list: 'conversations',
        notFound: 'conversation:error:not-found',
        create: (body, newId) => ({
          id: newId,
          name: body['name'] ?? newId,
          display_name: body['display_name'],
        }),
      });
    }
    if (collection === 'users') {
      return resource(seen, url, users, id, {
        prefix: 'USR',
        list: 'users',
        notFound: 'user:error:not-found',
        create: (body, newId) => ({
          id: newId,
          name: body['name'],
          display_name: body['display_name'] ?? null,
        }),
      });
    }
    return problem('http:error:not-found');
  };

  const server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      };
      fake.requests.push(seen);
      send(res, fake.intercept?.(seen) ?? (await route(seen)));
    })().catch((e: unknown) => {
      res.writeHead(500).end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.url = origin;
  return fake;
};

/** A URL where nothing listens: a port that was free a moment ago. */
export const closedPortUrl = async (): Promise<string> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
};
