import type { SerializedHistogram } from '../lib/histogram.js';

/** How a load client talks to its server. */
export type ClientKind = 'bws' | 'bsio' | 'pnative' | 'prtc' | 'xmpp';

export interface ClientSpec {
  /** Unique within the run. */
  key: string;
  /** The room (baselines, XMPP peers' MUC room) or conversation id (Parley) the client is in. */
  room: string;
  /** Parley user token. */
  token?: string;
  /** Index into `urls`: which server node the client connects to. */
  node: number;
}

export interface PublisherSpec {
  /** The client that publishes. */
  key: string;
  /** Messages per second, open loop. */
  rate: number;
  /** Offset of the first send within the first interval, 0–1, so publishers do not fire in lockstep. */
  phase: number;
}

/** Parent → load worker. Every request carries `seq`; the worker answers once with the same `seq`. */
export type WorkerRequest =
  | { op: 'open'; seq: number; kind: ClientKind; urls: string[]; clients: ClientSpec[]; concurrency: number }
  | {
      op: 'publish';
      seq: number;
      publishers: PublisherSpec[];
      durationMs: number;
      phase: Phase;
      padBytes: number;
    }
  | { op: 'ingest'; seq: number; keys: string[]; durationMs: number; window: number }
  | { op: 'stats'; seq: number; reset: boolean }
  | { op: 'pause'; seq: number; keys: string[] }
  | { op: 'resume'; seq: number; keys: string[] }
  | { op: 'drop'; seq: number }
  | { op: 'reconnect'; seq: number; concurrency: number }
  | { op: 'close'; seq: number };

/** `w` warm-up, `m` measured, `x` published outside both (e.g. over REST while clients were away). */
export type Phase = 'w' | 'm' | 'x';

export interface OpenResult {
  opened: number;
  failed: number;
  errors: string[];
  /** Connect (and login/join) latency. */
  connect: SerializedHistogram;
  elapsedMs: number;
}

export interface PublishResult {
  /** Messages sent per client key. */
  sent: { key: string; room: string; count: number }[];
  sendErrors: number;
  /** How far behind schedule the worst send went, ms: a load generator that cannot keep up shows here. */
  maxLagMs: number;
}

export interface IngestResult {
  acked: number;
  errors: number;
  errorCodes: Record<string, number>;
  ack: SerializedHistogram;
  elapsedMs: number;
}

export interface StatsResult {
  /** In-order, first-time text deliveries by phase of the message. */
  accepted: Record<Phase, number>;
  /** Deliveries that came through catch-up (history) rather than live. */
  caughtUp: number;
  /** Deliveries whose sequence (per publisher) or event id (per conversation) went backwards or repeated. */
  reordered: number;
  /** Latency of measured-phase messages from publishers in this process, receive − scheduled send. */
  latency: SerializedHistogram;
  /** Connections the server closed, by close code or reason. */
  serverClosed: Record<string, number>;
  /** Error replies to text sends, by code. */
  errorCodes: Record<string, number>;
  open: number;
}

export interface ReconnectResult {
  reconnected: number;
  failed: number;
  errors: string[];
  connect: SerializedHistogram;
  /** Time until every client was connected and had caught up. */
  elapsedMs: number;
  caughtUp: number;
}

export type WorkerReply =
  { seq: number; ok: true; result: unknown } | { seq: number; ok: false; error: string };
