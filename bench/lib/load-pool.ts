import { join } from 'node:path';
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
} from '../load/messages.js';
import { Histogram } from './histogram.js';
import { LOAD_CPU, launchPinned, type Launched } from './launch.js';

type Request = WorkerRequest extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;

/** One load-generator process, pinned to the load CPU, driven over IPC. */
class LoadWorker {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly ready: Promise<void>;

  constructor(
    readonly index: number,
    readonly proc: Launched,
  ) {
    let markReady: () => void = () => undefined;
    this.ready = new Promise((r) => (markReady = r));
    proc.child.on('message', (raw: WorkerReply) => {
      if (raw.seq === -1) return markReady();
      const w = this.waiting.get(raw.seq);
      if (!w) return;
      this.waiting.delete(raw.seq);
      if (raw.ok) w.resolve(raw.result);
      else w.reject(new Error(`load worker ${index}: ${raw.error}`));
    });
    void proc.exited.then((code) => {
      for (const w of this.waiting.values())
        w.reject(new Error(`load worker ${index} exited (${code}): ${proc.output().slice(-2000)}`));
      this.waiting.clear();
    });
  }

  call<T>(req: Request): Promise<T> {
    const seq = this.seq++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(seq, { resolve: (v) => resolve(v as T), reject });
      const message: WorkerRequest = { ...req, seq };
      this.proc.child.send(message);
    });
  }
}

/** Several load-generator processes (each well under the per-process file limit), used together. */
export class LoadPool {
  private constructor(private readonly workers: LoadWorker[]) {}

  static async start(count: number, distDir: string): Promise<LoadPool> {
    const workers = Array.from(
      { length: count },
      (_, i) =>
        new LoadWorker(
          i,
          launchPinned(LOAD_CPU, ['--max-old-space-size=2048', join(distDir, 'load', 'load-worker.js')], {
            ipc: true,
            env: { BENCH_WORKER: String(i) },
          }),
        ),
    );
    await Promise.all(workers.map((w) => w.ready));
    return new LoadPool(workers);
  }

  /** Opens the clients; `byWorker[i]` go to worker i. */
  async open(
    kind: ClientKind,
    urls: string[],
    byWorker: ClientSpec[][],
    concurrency: number,
  ): Promise<OpenSummary> {
    const results = await Promise.all(
      this.workers.map((w, i) =>
        w.call<OpenResult>({ op: 'open', kind, urls, clients: byWorker[i] ?? [], concurrency }),
      ),
    );
    return summarizeOpen(results);
  }

  async publish(
    byWorker: PublisherSpec[][],
    durationMs: number,
    phase: Phase,
    padBytes = 0,
  ): Promise<PublishResult[]> {
    return Promise.all(
      this.workers.map((w, i) =>
        w.call<PublishResult>({ op: 'publish', publishers: byWorker[i] ?? [], durationMs, phase, padBytes }),
      ),
    );
  }

  async ingest(byWorker: string[][], durationMs: number, window: number): Promise<IngestResult[]> {
    return Promise.all(
      this.workers.map((w, i) =>
        w.call<IngestResult>({ op: 'ingest', keys: byWorker[i] ?? [], durationMs, window }),
      ),
    );
  }

  async stats(reset = false): Promise<StatsSummary> {
    const parts = await Promise.all(this.workers.map((w) => w.call<StatsResult>({ op: 'stats', reset })));
    return summarizeStats(parts);
  }

  async pause(byWorker: string[][]): Promise<void> {
    await Promise.all(this.workers.map((w, i) => w.call({ op: 'pause', keys: byWorker[i] ?? [] })));
  }

  async resume(byWorker: string[][]): Promise<void> {
    await Promise.all(this.workers.map((w, i) => w.call({ op: 'resume', keys: byWorker[i] ?? [] })));
  }

  async drop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call({ op: 'drop' })));
  }

  async reconnect(concurrency: number): Promise<ReconnectSummary> {
    const parts = await Promise.all(
      this.workers.map((w) => w.call<ReconnectResult>({ op: 'reconnect', concurrency })),
    );
    const hist = Histogram.from(...parts.map((p) => p.connect));
    return {
      reconnected: parts.reduce((a, p) => a + p.reconnected, 0),
      failed: parts.reduce((a, p) => a + p.failed, 0),
      errors: parts.flatMap((p) => p.errors).slice(0, 5),
      elapsedMs: Math.max(...parts.map((p) => p.elapsedMs)),
      caughtUp: parts.reduce((a, p) => a + p.caughtUp, 0),
      p50Ms: hist.percentileMs(50),
      p99Ms: hist.percentileMs(99),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call({ op: 'close' })));
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.proc.stop('SIGTERM', 2000)));
  }
}

export interface OpenSummary {
  opened: number;
  failed: number;
  errors: string[];
  elapsedMs: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ReconnectSummary {
  reconnected: number;
  failed: number;
  errors: string[];
  elapsedMs: number;
  caughtUp: number;
  p50Ms: number;
  p99Ms: number;
}

export interface StatsSummary {
  accepted: Record<Phase, number>;
  caughtUp: number;
  reordered: number;
  latency: Histogram;
  serverClosed: Record<string, number>;
  errorCodes: Record<string, number>;
  open: number;
}

function summarizeOpen(results: OpenResult[]): OpenSummary {
  const hist = Histogram.from(...results.map((r) => r.connect));
  return {
    opened: results.reduce((a, r) => a + r.opened, 0),
    failed: results.reduce((a, r) => a + r.failed, 0),
    errors: results.flatMap((r) => r.errors).slice(0, 5),
    elapsedMs: Math.max(0, ...results.map((r) => r.elapsedMs)),
    p50Ms: hist.percentileMs(50),
    p99Ms: hist.percentileMs(99),
  };
}

function addInto(target: Record<string, number>, source: Record<string, number>): void {
  for (const [k, v] of Object.entries(source)) target[k] = (target[k] ?? 0) + v;
}

function summarizeStats(parts: StatsResult[]): StatsSummary {
  const out: StatsSummary = {
    accepted: { w: 0, m: 0, x: 0 },
    caughtUp: 0,
    reordered: 0,
    latency: Histogram.from(...parts.map((p) => p.latency)),
    serverClosed: {},
    errorCodes: {},
    open: 0,
  };
  for (const p of parts) {
    addInto(out.accepted, p.accepted);
    out.caughtUp += p.caughtUp;
    out.reordered += p.reordered;
    addInto(out.serverClosed, p.serverClosed);
    addInto(out.errorCodes, p.errorCodes);
    out.open += p.open;
  }
  return out;
}
