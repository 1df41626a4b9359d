import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';

/** One request as the CLI sent it. */
export interface SeenRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, if any. */
  body: unknown;
  /** For a bearer request: the token's header and claims (the server behind checks the signature). */
  token?: { header: Record<string, unknown>; claims: JWTPayload };
}

/** What an intercept answers instead of the server. */
export interface Reply {
  status: number;
  body?: unknown;
  /** Raw text instead of JSON. */
  text?: string;
}

/**
 * Sits between the CLI and a real Parley: records every request (so tests can check what the CLI sent) and,
 * for failure injection only, answers in the server's place when `intercept` returns a reply.
 */
export interface RecordingProxy {
  url: string;
  requests: SeenRequest[];
  intercept: ((request: SeenRequest) => Reply | undefined) | undefined;
  close(): Promise<void>;
}

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

const tokenOf = (authorization: string | undefined): SeenRequest['token'] => {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (token === undefined) return undefined;
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    return undefined;
  }
};

/** Headers passed through both ways; hop-by-hop ones are the proxy's own business. */
const FORWARDED = ['accept', 'authorization', 'content-type'];

export const startRecordingProxy = async (target: string): Promise<RecordingProxy> => {
  const proxy: RecordingProxy = {
    url: '',
    requests: [],
    intercept: undefined,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBody(req);
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
    };
    const token = tokenOf(req.headers.authorization);
    if (token) seen.token = token;
    proxy.requests.push(seen);
    const injected = proxy.intercept?.(seen);
    if (injected) return send(res, injected);

    const headers = Object.fromEntries(
      FORWARDED.flatMap((name) => {
        const value = req.headers[name];
        return typeof value === 'string' ? [[name, value]] : [];
      }),
    );
    const answer = await fetch(`${target}${seen.url}`, {
      method: seen.method,
      headers,
      body: text === '' ? undefined : text,
    });
    const replyHeaders: Record<string, string> = {};
    for (const name of ['content-type', 'retry-after']) {
      const value = answer.headers.get(name);
      if (value !== null) replyHeaders[name] = value;
    }
    res.writeHead(answer.status, replyHeaders).end(Buffer.from(await answer.arrayBuffer()));
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => send(res, { status: 599, text: String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
};

/** A URL nothing listens on, for "server unreachable". */
export const closedPortUrl = async (): Promise<string> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
};
