import type { Logger } from 'pino';
import type { Principal } from '../../core/auth/principal.js';
import type { Domain } from '../../core/domain.js';
import type { MediaService } from '../../core/media/media-service.js';
import { newSessionId } from '../../core/ids.js';
import { ParleyError, isParleyError } from '../../protocol/errors.js';
import {
  CLOSE_CODES,
  NOTICE_TYPES,
  REQUEST_TYPES,
  SUCCESS_TYPE,
  type RealtimeRequest,
  type RequestType,
} from '../../protocol/realtime.js';
import { TokenBucket, type KeyedBuckets } from '../../core/token-bucket.js';
import type { Connection } from './connection.js';
import { DeadlineQueue, type Deadlined } from './deadline-queue.js';
import type { HubSession, RealtimeHub } from './realtime-hub.js';
import { HANDLERS } from './request-handlers.js';

export interface RealtimeLimits {
  maxTextBytes: number;
  /** Requests a second per connection. */
  rateLimit: number;
  maxSessions: number;
  maxBufferBytes: number;
}

export interface RealtimeContext {
  domain: Domain;
  hub: RealtimeHub;
  logger: Logger;
  limits: RealtimeLimits;
  /** Shared with REST: requests a second per user. */
  userBuckets: KeyedBuckets;
  /** Images and attachments; absent where a server runs without media. */
  media?: MediaService | undefined;
}

const REQUEST_TYPE_SET: ReadonlySet<string> = new Set(REQUEST_TYPES);
const MAX_ID_LENGTH = 100;

/** Every session's token expiry in this process, on one timer. */
const expiries = new DeadlineQueue<RealtimeSession>((session) => session.tokenExpired());

/**
 * One client connection speaking the realtime vocabulary, whatever its transport. Requests are handled one
 * at a time in arrival order, so a client's own sends are committed in the order it made them; every request
 * with a `tid` gets exactly one reply.
 */
export class RealtimeSession implements HubSession, Deadlined {
  id = '';
  userId = '';
  principal: Principal | null = null;
  readonly joined = new Map<string, string>();
  /** The expiry queue's bookkeeping: when the token expires, and where the session sits in the queue. */
  deadline = 0;
  deadlineSlot = -1;
  private createdIds: Set<string> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private ended = false;
  private draining = false;
  private readonly bucket: TokenBucket;

  constructor(
    readonly ctx: RealtimeContext,
    readonly connection: Connection,
  ) {
    this.bucket = new TokenBucket(ctx.limits.rateLimit, ctx.limits.rateLimit * 2);
  }

  /** Conversations this session created: readable before the creator joins, as the Stitch SDK expects. */
  get created(): Set<string> {
    // Made on first use: most sessions never create a conversation.
    return (this.createdIds ??= new Set());
  }

  /** Takes one decoded message off the wire; malformed ones are answered with an error, never thrown. */
  receive(message: unknown): void {
    const refusal = this.admit();
    if (refusal) {
      this.replyError(tidOf(message), refusal);
      return;
    }
    this.queue = this.queue.then(() => this.handle(message));
  }

  /** Why a new request cannot be taken now, if it cannot: shutdown or a rate limit. */
  private admit(): ParleyError | undefined {
    if (this.draining)
      return new ParleyError('system:error:unavailable', 'The server is shutting down; reconnect');
    const userKey = this.principal ? `${this.principal.application.id}:${this.userId}` : undefined;
    // Both limits are asked before either is spent, so a refused request uses up neither allowance.
    const wait = Math.max(this.bucket.wait(), userKey ? this.ctx.userBuckets.wait(userKey) : 0);
    if (wait > 0) {
      return new ParleyError('system:error:rate-limited', 'Too many requests; slow down', {
        retry_after: Math.ceil(wait * 1000) / 1000,
      });
    }
    this.bucket.take();
    if (userKey) this.ctx.userBuckets.take(userKey);
    return undefined;
  }

  /** Answers a message the transport refused before handling it; `message` is whatever could be decoded. */
  refuse(error: ParleyError, message?: unknown): void {
    this.replyError(tidOf(message), error);
  }

  /** Refuses new requests and resolves when those already received are answered. */
  drain(): Promise<void> {
    this.draining = true;
    return this.queue;
  }

  /** The transport lost the connection. */
  closed(): void {
    if (this.ended) return;
    this.ended = true;
    expiries.delete(this);
    if (this.principal) this.ctx.hub.removeSession(this);
  }

  /** Logs the session in (or renews its token); returns the `session:success` body. */
  async authenticate(token: string): Promise<Principal> {
    const principal = await this.ctx.domain.tokens.verify(token);
    if (!principal.user) throw new ParleyError('session:error:user-required');
    if (
      this.principal &&
      (principal.user.id !== this.userId || principal.application.id !== this.principal.application.id)
    ) {
      throw new ParleyError('session:error:wrong-user');
    }
    const first = this.principal === null;
    if (first && this.ctx.hub.sessionsOf(principal.user.id).size >= this.ctx.limits.maxSessions) {
      throw new ParleyError('session:error:too-many-sessions');
    }
    this.principal = principal;
    if (!this.ended) expiries.set(this, principal.expiresAt * 1000);
    if (first && !this.ended) {
      this.id = newSessionId();
      this.userId = principal.user.id;
      await this.subscribeToJoined();
    }
    return principal;
  }

  /** Ends the session from the server side. */
  end(code: number, reason: string): void {
    this.connection.close(code, reason);
    this.closed();
  }

  private async subscribeToJoined(): Promise<void> {
    const { hub, domain } = this.ctx;
    hub.addSession(this);
    let after: string | undefined;
    do {
      const page = await domain.store.listUserConversations(
        this.userId,
        { limit: 100, order: 'asc', after },
        { states: ['JOINED'] },
      );
      for (const { conversation, member } of page.items)
        hub.join(this, conversation.id, member.id, conversation.lastEventId);
      after = page.next;
    } while (after !== undefined && !this.ended);
    if (this.ended) hub.removeSession(this);
    else hub.announce(this);
  }

  /** The token's expiry has passed: tells the client why, then ends the session. */
  tokenExpired(): void {
    this.connection.send({
      type: NOTICE_TYPES.expiredToken,
      body: {},
      description: 'The session token expired',
    });
    this.end(CLOSE_CODES.unauthorized, 'token expired');
  }

  private async handle(message: unknown): Promise<void> {
    if (this.ended) return;
    const request = parseEnvelope(message);
    if (!request.ok) {
      this.replyError(request.tid, request.error);
      return;
    }
    const { type, tid } = request.value;
    try {
      if (type !== 'session:login' && !this.principal) throw new ParleyError('session:error:not-logged-in');
      const body = await HANDLERS[type](this, request.value);
      if (!this.ended || type === 'session:logout')
        this.connection.send({ type: SUCCESS_TYPE[type], rid: tid, body });
      if (type === 'session:logout') this.end(CLOSE_CODES.normal, 'logged out');
    } catch (error) {
      this.replyError(tid, error);
    }
  }

  private replyError(tid: string | undefined, error: unknown): void {
    let known: ParleyError;
    if (isParleyError(error)) {
      known = error;
    } else {
      this.ctx.logger.error({ err: error, session: this.id }, 'realtime request failed');
      known = new ParleyError('system:error:internal');
    }
    const reply: { type: string } & Record<string, unknown> = {
      type: known.code,
      rid: tid ?? null,
      code: known.code,
      description: known.message,
    };
    if (known.details.retry_after !== undefined) reply.body = { retry_after: known.details.retry_after };
    this.connection.send(reply);
  }
}

type Envelope =
  { ok: true; value: RealtimeRequest } | { ok: false; tid: string | undefined; error: ParleyError };

/** Validates the envelope every request shares; handlers validate their own fields. */
function parseEnvelope(message: unknown): Envelope {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return {
      ok: false,
      tid: undefined,
      error: new ParleyError('system:error:invalid-request', 'A request is a JSON object'),
    };
  }
  const record = message as Record<string, unknown>;
  const tid = typeof record.tid === 'string' && record.tid.length <= MAX_ID_LENGTH ? record.tid : undefined;
  if (tid === undefined) {
    return {
      ok: false,
      tid,
      error: new ParleyError(
        'system:error:invalid-request',
        'tid must be a string of at most 100 characters',
      ),
    };
  }
  if (typeof record.type !== 'string' || !REQUEST_TYPE_SET.has(record.type)) {
    return {
      ok: false,
      tid,
      error: new ParleyError(
        'system:error:unknown-request',
        `Unknown request type ${String(record.type).slice(0, 50)}`,
      ),
    };
  }
  for (const key of ['cid', 'from', 'to', 'client_ref'] as const) {
    const v = record[key];
    if (v !== undefined && (typeof v !== 'string' || v.length > MAX_ID_LENGTH)) {
      return {
        ok: false,
        tid,
        error: new ParleyError(
          'system:error:invalid-request',
          `${key} must be a string of at most 100 characters`,
        ),
      };
    }
  }
  const body = record.body;
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    return {
      ok: false,
      tid,
      error: new ParleyError('system:error:invalid-request', 'body must be an object'),
    };
  }
  return {
    ok: true,
    value: { ...(record as Omit<RealtimeRequest, 'type'>), type: record.type as RequestType, tid },
  };
}

/** The request id of a message, when it has a usable one. */
function tidOf(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null || !('tid' in message)) return undefined;
  return typeof message.tid === 'string' && message.tid.length <= MAX_ID_LENGTH ? message.tid : undefined;
}
