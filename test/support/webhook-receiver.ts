import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The exact body bytes as text. */
  raw: string;
  body: { type: string; id?: number; conversation_id: string; [key: string]: unknown };
  at: number;
}

/** Decides the status of each request; 200 unless told otherwise. */
export type Responder = (request: ReceivedWebhook, index: number) => number | 'hang';

/** A real HTTP receiver on port 0 that records every webhook and lets tests wait for them. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  respond: Responder = () => 200;
  private server: Server | undefined;
  private port = 0;
  private readonly waiters = new Set<() => void>();
  private readonly hanging = new Set<ServerResponse>();

  get url(): string {
    return `http://127.0.0.1:${this.port}/webhooks/event`;
  }

  /** Listens, on `port` when given (to come back on the same address after `stop`). */
  async start(port = this.port): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const hook: ReceivedWebhook = {
          headers: req.headers,
          raw,
          body: JSON.parse(raw) as ReceivedWebhook['body'],
          at: performance.now(),
        };
        const index = this.received.length;
        this.received.push(hook);
        const status = this.respond(hook, index);
        if (status === 'hang') this.hanging.add(res);
        else res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
        for (const wake of [...this.waiters]) wake();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Resolves once `done()` holds, re-checked on every request; fails after `timeoutMs`. */
  async waitFor(done: () => boolean, timeoutMs = 30_000, what = 'webhooks'): Promise<void> {
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; ${this.received.length} received`));
      }, timeoutMs);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Webhooks grouped by conversation, each in arrival order. */
export function byConversation(received: readonly ReceivedWebhook[]): Map<string, ReceivedWebhook[]> {
  const groups = new Map<string, ReceivedWebhook[]>();
  for (const hook of received) {
    const list = groups.get(hook.body.conversation_id) ?? [];
    list.push(hook);
    groups.set(hook.body.conversation_id, list);
  }
  return groups;
}
