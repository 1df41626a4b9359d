import { SUCCESS_TYPE, type RequestType } from '../protocol/realtime.js';
import { ConnectionErrorCode } from './codes.js';
import { ConnectionError, ParleyApiError } from './errors.js';
import type { Logger } from './logger.js';
import { uuid } from './uuid.js';
import { isRecord } from './wire.js';

/**
 * What the queue holds: a request without its `tid`. The queue reads only the type; `Connection.request` is
 * where a request and its reply are typed (`OutgoingRequest<K>` and `ReplyOf<K>`).
 */
export interface QueuedRequest {
  readonly type: RequestType;
}

export interface RequestOptions {
  /**
   * Survives connection loss: waits in the queue while disconnected and is sent again after a reconnect
   * instead of failing. Only for requests the server treats idempotently (`text` with a `client_ref`).
   */
  retry?: boolean;
}

/** Settles a request; called synchronously on its reply, before any later frame is read. */
export interface Settle {
  resolve: (body: unknown) => void;
  reject: (error: Error) => void;
}

interface Pending extends Settle {
  request: QueuedRequest;
  retry: boolean;
  tid?: string;
  timer?: ReturnType<typeof setTimeout>;
}

type Send = (frame: string) => void;

/**
 * Requests waiting for a connection or for their reply. Each gets exactly one outcome: its reply, a timeout,
 * or a ConnectionError when the connection goes; retried requests go back to the queue instead.
 */
export class RequestQueue {
  private readonly inflight = new Map<string, Pending>();
  private outbox: Pending[] = [];
  private send: Send | null = null;

  constructor(
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  add(request: QueuedRequest, { retry = false }: RequestOptions = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const pending: Pending = { request, retry, resolve, reject };
      // A retried request waits for the connection as long as it takes; only its round trip is timed.
      if (!retry) this.startTimer(pending);
      if (this.send) this.transmit(pending, this.send);
      else this.outbox.push(pending);
    });
  }

  /** Sends one request ahead of the queue on a connection not yet open to it (the login). */
  sendFirst(request: QueuedRequest, send: Send, settle: Settle): void {
    const pending: Pending = { request, retry: false, ...settle };
    this.startTimer(pending);
    this.transmit(pending, send);
  }

  /** The connection is usable: send what waited, in order, and from now on send at once. */
  open(send: Send): void {
    this.send = send;
    const queued = this.outbox;
    this.outbox = [];
    for (const pending of queued) this.transmit(pending, send);
  }

  /** Settles the request a reply answers; replies to unknown or expired requests are ignored. */
  settle(rid: string, type: string, message: Record<string, unknown>): void {
    const pending = this.inflight.get(rid);
    if (!pending) return;
    this.inflight.delete(rid);
    clearTimeout(pending.timer);
    if (type === SUCCESS_TYPE[pending.request.type]) pending.resolve(message.body);
    else pending.reject(apiError(type, message));
  }

  /** The connection went: fail what was in flight, except retried requests, which wait at the head of the queue. */
  interrupt(reason: string): void {
    this.send = null;
    const retried: Pending[] = [];
    for (const pending of this.inflight.values()) {
      clearTimeout(pending.timer);
      if (pending.retry) retried.push(pending);
      else
        pending.reject(
          new ConnectionError(ConnectionErrorCode.transportClosed, `Connection lost (${reason})`),
        );
    }
    this.inflight.clear();
    this.outbox = [...retried, ...this.outbox];
  }

  /** Fails everything, queued or in flight. */
  abandon(error: Error): void {
    this.send = null;
    const all = [...this.inflight.values(), ...this.outbox];
    this.inflight.clear();
    this.outbox = [];
    for (const pending of all) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
  }

  private transmit(pending: Pending, send: Send): void {
    const tid = uuid();
    pending.tid = tid;
    this.inflight.set(tid, pending);
    if (pending.retry) this.startTimer(pending);
    this.logger.debug('-->', pending.request.type, tid);
    send(JSON.stringify({ ...pending.request, tid }));
  }

  private startTimer(pending: Pending): void {
    clearTimeout(pending.timer);
    pending.timer = setTimeout(() => {
      if (pending.tid !== undefined) this.inflight.delete(pending.tid);
      this.outbox = this.outbox.filter((p) => p !== pending);
      pending.reject(
        new ConnectionError(ConnectionErrorCode.timeout, `${pending.request.type} got no answer in time`),
      );
    }, this.timeoutMs);
  }
}

/** The error a reply (or a notice) describes. */
export function apiError(type: string, message: Record<string, unknown>): ParleyApiError {
  const code = typeof message.code === 'string' ? message.code : type;
  const description = typeof message.description === 'string' ? message.description : code;
  const retryAfter =
    isRecord(message.body) && typeof message.body.retry_after === 'number'
      ? message.body.retry_after
      : undefined;
  return new ParleyApiError(type, code, description, retryAfter);
}
