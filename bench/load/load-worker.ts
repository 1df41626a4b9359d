import { performance } from 'node:perf_hooks';
import { Histogram } from '../lib/histogram.js';
import { mapLimit } from '../lib/launch.js';
import type {
  ClientKind,
  ClientSpec,
  IngestResult,
  OpenResult,
  Phase,
  PublisherSpec,
  PublishResult,
  ReconnectResult,
  StatsResult,
  WorkerReply,
  WorkerRequest,
} from './messages.js';
import { createTransport, type Transport } from './transports.js';

/**
 * A load-generator process: holds a share of the clients, publishes open-loop on a monotonic clock, and
 * counts what its clients receive (in order, late, lost) and how long its own publishers' messages took to
 * reach its own receivers. Driven by the orchestrator over IPC.
 */
const workerIndex = Number(process.env.BENCH_WORKER ?? '0');
const localPrefix = `w${workerIndex}:`;
const OPEN_TIMEOUT_MS = 60_000;
const HISTORY_PAGE = 1000;

interface HistoryEvent {
  id?: number;
  type?: string;
  body?: { text?: unknown };
}

class BenchClient {
  transport: Transport | undefined;
  /** Newest Parley event id applied. */
  lastId = 0;
  /** Newest archive id seen (the XMPP peers' `<stanza-id>`), where a catch-up starts. */
  lastArchiveId: string | undefined;
  /** Newest sequence applied, per publisher. */
  readonly lastSeq = new Map<string, number>();
  /** Live events held back while history is fetched after a reconnect. */
  buffer: [number | undefined, string][] | undefined;
  /** Outgoing sequence when this client publishes. */
  pubSeq = 0;
  readonly pending = new Map<string, (r: { ok: boolean; type: string; body: unknown }) => void>();
  nextTid = 0;

  constructor(readonly spec: ClientSpec) {}

  get pubKey(): string {
    return `${localPrefix}${this.spec.key}`;
  }

  request(type: string, cid: string, body: unknown): Promise<{ ok: boolean; type: string; body: unknown }> {
    const tid = `r${this.nextTid++}`;
    return new Promise((resolve) => {
      this.pending.set(tid, resolve);
      this.transport?.request(type, { tid, cid, body });
    });
  }
}

let kind: ClientKind = 'bws';
let urls: string[] = [];
const clients = new Map<string, BenchClient>();
let stats = freshStats();

function freshStats() {
  return {
    accepted: { w: 0, m: 0, x: 0 } as Record<Phase, number>,
    caughtUp: 0,
    reordered: 0,
    latency: new Histogram(),
    serverClosed: {} as Record<string, number>,
    errorCodes: {} as Record<string, number>,
  };
}

const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

/** Applies one delivered text: exactly-once, in-order bookkeeping and latency. */
function deliver(
  client: BenchClient,
  id: number | undefined,
  text: string,
  source: 'live' | 'history' | 'buffer',
): void {
  if (source === 'live' && client.buffer) {
    client.buffer.push([id, text]);
    return;
  }
  if (id !== undefined) {
    if (id <= client.lastId) {
      // Overlap between history and what was buffered meanwhile is expected; live going backwards is not.
      if (source === 'live') stats.reordered++;
      return;
    }
    client.lastId = id;
  }
  const a = text.indexOf('|');
  const b = text.indexOf('|', a + 1);
  const c = text.indexOf('|', b + 1);
  const d = text.indexOf('|', c + 1);
  if (a < 0 || d < 0) return;
  const pubKey = text.slice(0, a);
  const seq = Number(text.slice(a + 1, b));
  const phase = text.slice(b + 1, c) as Phase;
  const last = client.lastSeq.get(pubKey) ?? -1;
  if (seq <= last) {
    stats.reordered++;
    return;
  }
  client.lastSeq.set(pubKey, seq);
  stats.accepted[phase] = (stats.accepted[phase] ?? 0) + 1;
  if (source === 'history') stats.caughtUp++;
  else if (phase === 'm' && pubKey.startsWith(localPrefix))
    stats.latency.recordMicros((performance.now() - Number(text.slice(c + 1, d))) * 1000);
}

async function openClient(client: BenchClient): Promise<void> {
  const transport = createTransport(kind, urls[client.spec.node] ?? urls[0] ?? '', client.spec, {
    text: (id, text) => deliver(client, id, text, 'live'),
    reply: (rid, ok, type, body) => {
      const waiter = client.pending.get(rid);
      if (waiter) {
        client.pending.delete(rid);
        waiter({ ok, type, body });
      } else if (!ok) bump(stats.errorCodes, type);
    },
    archived: (id) => {
      client.lastArchiveId = id;
    },
    closed: (reason) => {
      bump(stats.serverClosed, reason);
      for (const waiter of client.pending.values()) waiter({ ok: false, type: 'closed', body: undefined });
      client.pending.clear();
    },
  });
  client.transport = transport;
  await transport.open(OPEN_TIMEOUT_MS);
}

/** Fetches what was committed since `lastId` (Parley), then releases the live events held back meanwhile. */
async function catchUp(client: BenchClient): Promise<void> {
  for (;;) {
    const reply = await client.request('conversation:events', client.spec.room, {
      start_id: client.lastId + 1,
      page_size: HISTORY_PAGE,
    });
    if (!reply.ok || !Array.isArray(reply.body)) throw new Error(`history: ${reply.type}`);
    const events = reply.body as HistoryEvent[];
    for (const e of events) {
      if (typeof e.id !== 'number') continue;
      if (e.type === 'text' && typeof e.body?.text === 'string')
        deliver(client, e.id, e.body.text, 'history');
      else if (e.id > client.lastId) client.lastId = e.id;
    }
    if (events.length < HISTORY_PAGE) break;
  }
  const held = client.buffer ?? [];
  client.buffer = undefined;
  for (const [id, text] of held) deliver(client, id, text, 'buffer');
}

/** The XMPP peers' catch-up: the room's archive (MAM) after the last archive id seen, then the held-back live texts. */
async function catchUpArchive(client: BenchClient): Promise<void> {
  const transport = client.transport;
  if (!transport?.fetchArchive) throw new Error('this transport has no archive');
  await transport.fetchArchive(client.lastArchiveId, (text) => deliver(client, undefined, text, 'history'));
  const held = client.buffer ?? [];
  client.buffer = undefined;
  for (const [id, text] of held) deliver(client, id, text, 'buffer');
}

async function open(clientSpecs: ClientSpec[], concurrency: number): Promise<OpenResult> {
  const hist = new Histogram();
  const errors: string[] = [];
  let failed = 0;
  const start = performance.now();
  await mapLimit(clientSpecs, concurrency, async (spec) => {
    const client = new BenchClient(spec);
    clients.set(spec.key, client);
    const t = performance.now();
    try {
      await openClient(client);
      hist.recordMicros((performance.now() - t) * 1000);
    } catch (e) {
      failed++;
      if (errors.length < 5) errors.push(e instanceof Error ? e.message : String(e));
    }
  });
  return {
    opened: clientSpecs.length - failed,
    failed,
    errors,
    connect: hist.serialize(),
    elapsedMs: performance.now() - start,
  };
}

function publish(
  publishers: PublisherSpec[],
  durationMs: number,
  phase: Phase,
  padBytes: number,
): Promise<PublishResult> {
  const pad = 'x'.repeat(padBytes);
  const start = performance.now();
  const end = start + durationMs;
  let sendErrors = 0;
  let maxLagMs = 0;
  const sent = new Map<string, number>();
  return new Promise((resolve) => {
    let running = publishers.length;
    const finish = () => {
      if (--running > 0) return;
      resolve({
        sent: publishers.map((p) => ({
          key: p.key,
          room: clients.get(p.key)?.spec.room ?? '',
          count: sent.get(p.key) ?? 0,
        })),
        sendErrors,
        maxLagMs,
      });
    };
    if (publishers.length === 0) {
      running = 1;
      finish();
    }
    for (const p of publishers) {
      const client = clients.get(p.key);
      const interval = 1000 / p.rate;
      const first = start + p.phase * interval;
      let n = 0;
      const tick = () => {
        const now = performance.now();
        for (let due = first + n * interval; due <= now && due < end; due = first + ++n * interval) {
          maxLagMs = Math.max(maxLagMs, now - due);
          if (!client?.transport?.isOpen) {
            sendErrors++;
            continue;
          }
          const seq = client.pubSeq++;
          client.transport.request('text', {
            tid: `p${seq}`,
            cid: client.spec.room,
            body: { text: `${client.pubKey}|${seq}|${phase}|${due.toFixed(3)}|${pad}` },
          });
          sent.set(p.key, (sent.get(p.key) ?? 0) + 1);
        }
        const next = first + n * interval;
        if (next < end) setTimeout(tick, Math.max(0, next - performance.now()));
        else finish();
      };
      setTimeout(tick, Math.max(0, first - performance.now()));
    }
  });
}

/** Closed loop: each client keeps `window` texts in flight and sends the next as each is acknowledged. */
async function ingest(keys: string[], durationMs: number, window: number): Promise<IngestResult> {
  const ack = new Histogram();
  const errorCodes: Record<string, number> = {};
  let acked = 0;
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  const lane = async (client: BenchClient) => {
    while (performance.now() < end && client.transport?.isOpen) {
      const seq = client.pubSeq++;
      const t = performance.now();
      const reply = await client.request('text', client.spec.room, {
        text: `${client.pubKey}|${seq}|m|${t.toFixed(3)}|`,
      });
      if (reply.ok) {
        acked++;
        ack.recordMicros((performance.now() - t) * 1000);
      } else {
        errors++;
        bump(errorCodes, reply.type);
      }
    }
  };
  await Promise.all(
    keys.flatMap((k) => {
      const client = clients.get(k);
      return client ? Array.from({ length: window }, () => lane(client)) : [];
    }),
  );
  return { acked, errors, errorCodes, ack: ack.serialize(), elapsedMs: performance.now() - start };
}

/**
 * Reconnects every client that is not connected; Parley clients then catch up from their last event id,
 * the XMPP peers' from their room's archive after the last archive id they saw.
 */
async function reconnect(concurrency: number): Promise<ReconnectResult> {
  const hist = new Histogram();
  const errors: string[] = [];
  let failed = 0;
  let reconnected = 0;
  const caughtUpBefore = stats.caughtUp;
  const start = performance.now();
  const parley = kind === 'pnative' || kind === 'prtc';
  const archive = kind === 'xmpp';
  const down = [...clients.values()].filter((c) => !c.transport?.isOpen);
  await mapLimit(down, concurrency, async (client) => {
    const t = performance.now();
    try {
      if (parley || archive) client.buffer = [];
      await openClient(client);
      if (parley) await catchUp(client);
      else if (archive) await catchUpArchive(client);
      hist.recordMicros((performance.now() - t) * 1000);
      reconnected++;
    } catch (e) {
      client.buffer = undefined;
      failed++;
      if (errors.length < 5) errors.push(e instanceof Error ? e.message : String(e));
    }
  });
  return {
    reconnected,
    failed,
    errors,
    connect: hist.serialize(),
    elapsedMs: performance.now() - start,
    caughtUp: stats.caughtUp - caughtUpBefore,
  };
}

function snapshot(reset: boolean): StatsResult {
  let openCount = 0;
  for (const c of clients.values()) if (c.transport?.isOpen) openCount++;
  const result: StatsResult = {
    accepted: { ...stats.accepted },
    caughtUp: stats.caughtUp,
    reordered: stats.reordered,
    latency: stats.latency.serialize(),
    serverClosed: { ...stats.serverClosed },
    errorCodes: { ...stats.errorCodes },
    open: openCount,
  };
  if (reset) stats.latency = new Histogram();
  return result;
}

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case 'open':
      kind = req.kind;
      urls = req.urls;
      return open(req.clients, req.concurrency);
    case 'publish':
      return publish(req.publishers, req.durationMs, req.phase, req.padBytes);
    case 'ingest':
      return ingest(req.keys, req.durationMs, req.window);
    case 'stats':
      return snapshot(req.reset);
    case 'pause':
      for (const k of req.keys) clients.get(k)?.transport?.pause();
      return {};
    case 'resume':
      for (const k of req.keys) clients.get(k)?.transport?.resume();
      return {};
    case 'drop':
      for (const c of clients.values()) c.transport?.terminate();
      return {};
    case 'reconnect':
      return reconnect(req.concurrency);
    case 'close':
      for (const c of clients.values()) c.transport?.terminate();
      clients.clear();
      stats = freshStats();
      return {};
  }
}

process.on('message', (req: WorkerRequest) => {
  handle(req).then(
    (result) => process.send?.({ seq: req.seq, ok: true, result } satisfies WorkerReply),
    (e: unknown) =>
      process.send?.({
        seq: req.seq,
        ok: false,
        error: e instanceof Error ? (e.stack ?? e.message) : String(e),
      } satisfies WorkerReply),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ seq: -1, ok: true, result: 'ready' } satisfies WorkerReply);
