import type { Logger } from 'pino';
import type { Principal } from '../../core/auth/principal.js';
import type { Clock } from '../../core/clock.js';
import type { Domain } from '../../core/domain.js';
import type { MediaService } from '../../core/media/media-service.js';
import { newSessionId } from '../../core/ids.js';
import { TokenBucket, type KeyedBuckets } from '../../core/token-bucket.js';
import { ParleyError, isParleyError } from '../../protocol/errors.js';
import {
  CLOSE_CODES,
  NOTICE_TYPES,
  SUCCESS_TYPE,
  type RealtimeRequest,
  type RequestType,
} from '../../protocol/realtime.js';
import type { ReplyOf, RequestOf } from '../../protocol/realtime-api.js';
import type { UserRecord } from '../../store/records.js';
import { validate } from '../validate.js';
import { z } from 'zod';
import type { Connection, OutboundMessage } from './connection.js';
import type { DeadlineQueue, Expiry } from './deadline-queue.js';
import type { HubSession, RealtimeHub } from './realtime-hub.js';
import type { RealtimeLimits, RequestContext } from './request-context.js';
import { parseEnvelope, tidOf } from './request-envelope.js';
import { HANDLERS, type HandledType } from './request-handlers.js';

export type { RealtimeLimits } from './request-context.js';

/** What every realtime session shares, built once by the composition root. */
export interface RealtimeContext {
  domain: Domain;
  hub: RealtimeHub;
  logger: Logger;
  limits: RealtimeLimits;
  /** Shared with REST: requests a second per user. */
  userBuckets: KeyedBuckets;
  /** Every session's token expiry, on one timer. */
  expiries: DeadlineQueue<Expiry>;
  clock: Clock;
  /** Images and attachments; absent where a server runs without media. */
  media?: MediaService | undefined;
}

/** A logged-in session as the hub sees it; `principal` changes when the token is renewed. */
interface LiveSession extends HubSession {
  readonly kind: 'live';
  readonly id: string;
  principal: Principal;
}

type SessionState = { kind: 'anonymous' } | LiveSession | { kind: 'ended' };

const tokenBody = z.object({ token: z.string().min(1).max(16_384) }).loose();

/**
 * One client connection speaking the realtime vocabulary, whatever its transport. Requests are handled one
 * at a time in arrival order, so a client's own sends are committed in the order it made them; every request
 * with a `tid` gets exactly one reply. Login, token renewal, logout and ping change or test the session
 * itself and are its methods; everything else goes to `HANDLERS` with a `RequestContext`.
 */
export class RealtimeSession {
  private state: SessionState = { kind: 'anonymous' };
  private queue: Promise<void> = Promise.resolve();
  private draining = false;
  private readonly bucket: TokenBucket;
  private readonly expiry: Expiry;

  constructor(
    private readonly ctx: RealtimeContext,
    readonly connection: Connection,
  ) {
    this.bucket = new TokenBucket(
      ctx.limits.rateLimit,
      ctx.limits.rateLimit * 2,
      () => ctx.clock.now() / 1000,
    );
    this.expiry = { deadline: 0, deadlineSlot: -1, expire: () => this.tokenExpired() };
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
    const live = this.state.kind === 'live' ? this.state : undefined;
    const userKey = live ? `${live.principal.application.id}:${live.userId}` : undefined;
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
    const was = this.state;
    if (was.kind === 'ended') return;
    this.state = { kind: 'ended' };
    this.ctx.expiries.delete(this.expiry);
    if (was.kind === 'live') this.ctx.hub.removeSession(was);
  }

  /** Ends the session from the server side. */
  end(code: number, reason: string): void {
    this.connection.close(code, reason);
    this.closed();
  }

  /** Logs in, subscribing to every conversation the user is joined to; on a live session, renews the token. */
  async login(request: RequestOf<'session:login'>): Promise<ReplyOf<'session:login'>> {
    const { principal, user } = await this.verify(request);
    const body = { user_id: user.id, name: user.name, display_name: user.displayName };
    if (this.state.kind === 'live') {
      this.renew(this.state, principal);
      return { id: this.state.id, ...body };
    }
    if (this.state.kind === 'ended') return { id: '', ...body };
    const { hub, domain, limits } = this.ctx;
    if (hub.sessionsOf(user.id).size >= limits.maxSessions)
      throw new ParleyError('session:error:too-many-sessions');
    const live: LiveSession = {
      kind: 'live',
      id: newSessionId(),
      userId: user.id,
      connection: this.connection,
      principal,
    };
    this.state = live;
    this.renew(live, principal);
    // Registered before the memberships are read, so a join committed in between still subscribes it.
    hub.addSession(live);
    const joined = await domain.members.joinedBy(user.id);
    if (this.state !== live) {
      hub.removeSession(live);
    } else {
      for (const { conversation, member } of joined)
        hub.join(live, conversation.id, member.id, conversation.lastEventId);
      hub.announce(live);
    }
    return { id: live.id, ...body };
  }

  async updateToken(request: RequestOf<'session:update-token'>): Promise<ReplyOf<'session:update-token'>> {
    const live = this.requireLive();
    const { principal } = await this.verify(request);
    this.renew(live, principal);
    return {};
  }

  /** Answers, then ends the session: the reply is the last thing the client hears. */
  logout(tid: string): void {
    this.requireLive();
    this.connection.send({ type: SUCCESS_TYPE['session:logout'], rid: tid, body: {} });
    this.end(CLOSE_CODES.normal, 'logged out');
  }

  ping(): Promise<ReplyOf<'ping'>> {
    this.requireLive();
    return Promise.resolve({});
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

  /** A user token for this session: the same user and application as before, once logged in. */
  private async verify(request: { body?: unknown }): Promise<{ principal: Principal; user: UserRecord }> {
    const { token } = validate(tokenBody, request.body ?? {}, 'body');
    const principal = await this.ctx.domain.tokens.verify(token);
    const user = principal.user;
    if (!user) throw new ParleyError('session:error:user-required');
    const live = this.state.kind === 'live' ? this.state : undefined;
    if (live && (user.id !== live.userId || principal.application.id !== live.principal.application.id)) {
      throw new ParleyError('session:error:wrong-user');
    }
    return { principal, user };
  }

  private renew(live: LiveSession, principal: Principal): void {
    live.principal = principal;
    if (this.state === live) this.ctx.expiries.set(this.expiry, principal.expiresAt * 1000);
  }

  private requireLive(): LiveSession {
    if (this.state.kind !== 'live') throw new ParleyError('session:error:not-logged-in');
    return this.state;
  }

  private contextOf(live: LiveSession): RequestContext {
    const { domain, hub, limits, media } = this.ctx;
    return {
      get principal() {
        return live.principal;
      },
      memberIn(cid) {
        const memberId = hub.memberIn(live, cid);
        if (!memberId) throw new ParleyError('conversation:error:not-member');
        return memberId;
      },
      domain,
      hub,
      limits,
      media,
    };
  }

  private async handle(message: unknown): Promise<void> {
    if (this.state.kind === 'ended') return;
    const request = parseEnvelope(message);
    if (!request.ok) {
      this.replyError(request.tid, request.error);
      return;
    }
    const { type, tid } = request.value;
    try {
      switch (type) {
        case 'session:login':
          return this.reply(type, tid, await this.login(request.value as RequestOf<typeof type>));
        case 'session:update-token':
          return this.reply(type, tid, await this.updateToken(request.value as RequestOf<typeof type>));
        case 'session:logout':
          return this.logout(tid);
        case 'ping':
          return this.reply(type, tid, await this.ping());
        default:
          return this.reply(type, tid, await run(type, this.contextOf(this.requireLive()), request.value));
      }
    } catch (error) {
      this.replyError(tid, error);
    }
  }

  private reply(type: RequestType, tid: string, body: unknown): void {
    if (this.state.kind !== 'ended') this.connection.send({ type: SUCCESS_TYPE[type], rid: tid, body });
  }

  private replyError(tid: string | undefined, error: unknown): void {
    let known: ParleyError;
    if (isParleyError(error)) {
      known = error;
    } else {
      const id = this.state.kind === 'live' ? this.state.id : undefined;
      this.ctx.logger.error({ err: error, session: id }, 'realtime request failed');
      known = new ParleyError('system:error:internal');
    }
    const reply: OutboundMessage = {
      type: known.code,
      rid: tid ?? null,
      code: known.code,
      description: known.message,
    };
    if (known.details.retry_after !== undefined) reply.body = { retry_after: known.details.retry_after };
    this.connection.send(reply);
  }
}

/**
 * Runs the handler for `type`. The envelope has been checked, and each handler validates the body fields it
 * reads, so the request is handed over typed as `RealtimeApi` describes it.
 */
function run<K extends HandledType>(
  type: K,
  ctx: RequestContext,
  request: RealtimeRequest,
): Promise<ReplyOf<K>> {
  const handler: (ctx: RequestContext, request: RequestOf<K>) => Promise<ReplyOf<K>> = HANDLERS[type];
  return handler(ctx, request as RequestOf<K>);
}
