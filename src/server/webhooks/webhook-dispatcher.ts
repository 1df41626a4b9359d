import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { deliveryId } from '../../core/webhooks/delivery-id.js';
import { retryDelay, type RetryPolicy } from '../../core/webhooks/retry-policy.js';
import { webhookPayload, type WebhookSender as Sender } from '../../core/webhooks/webhook-payload.js';
import type { WebhookSigner } from '../../core/webhooks/webhook-signer.js';
import type { PushedEvent } from '../../protocol/realtime.js';
import { ATTEMPT_HEADER, DELIVERY_ID_HEADER } from '../../protocol/webhooks.js';
import type { EventRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import type { WebhookOutbox } from '../../store/webhooks/webhook-outbox.js';
import type { DeliveryRecord, WebhookCursor, WebhookTarget } from '../../store/webhooks/webhook-records.js';
import type { WebhookMetrics } from './webhook-metrics.js';
import type { Attempt, WebhookSender } from './webhook-sender.js';

export interface DispatcherOptions {
  /** This node's name on the leases it takes. */
  owner: string;
  policy: RetryPolicy;
  /** How long a lease holds without renewal; a dead node's conversations wait this long at most. */
  leaseMs: number;
  /** How often the outbox is scanned for work that no local wake-up announced (other nodes, restarts). */
  pollMs: number;
  /** Conversations delivered to at once. */
  concurrency: number;
  /** Delivered deliveries are kept this long, failed ones until replayed. */
  retentionMs: number;
  now?: () => number;
  random?: () => number;
}

/** Events read per query while working through a conversation's backlog. */
const BATCH = 50;
/** Conversations taken from one scan of the outbox. */
const SCAN_LIMIT = 200;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** Ephemeral webhooks in flight per node; more are dropped, as they are best effort anyway. */
const MAX_EPHEMERAL_IN_FLIGHT = 256;
/** How long a conversation's target is remembered for ephemeral events, which may come many a second. */
const TARGET_CACHE_MS = 5_000;
const EPHEMERAL_TYPES = new Set(['text:typing:on', 'text:typing:off', 'text:delivered']);

/**
 * Delivers committed events to their application's event URL: per conversation in id order under a lease,
 * conversations side by side. Woken by local commits, and by a periodic scan for everything else, so it never
 * sits on the path of a send: an unreachable receiver only delays its own application's webhooks.
 */
export class WebhookDispatcher {
  private readonly pending = new Set<string>();
  private readonly active = new Set<string>();
  private readonly again = new Set<string>();
  /** Conversations waiting here for a retry, with their timer: commits meanwhile need not look at them. */
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private poller: NodeJS.Timeout | undefined;
  private closed = false;
  private scanning = false;
  private replaying = false;
  private lastPrune = 0;
  private ephemeralInFlight = 0;
  private readonly targets = new Map<string, { target: WebhookTarget | undefined; until: number }>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    private readonly outbox: WebhookOutbox,
    private readonly store: Store,
    private readonly signer: WebhookSigner,
    private readonly sender: WebhookSender,
    private readonly metrics: WebhookMetrics,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  start(): void {
    this.poller = setInterval(() => this.track(this.scan()), this.options.pollMs);
    this.poller.unref();
    this.track(this.scan());
  }

  /** A conversation has new committed events. */
  wake(conversationId: string): void {
    if (this.closed || this.retries.has(conversationId)) return;
    // Applications without an event URL cost a cached lookup per commit, nothing more.
    const known = this.targets.get(conversationId);
    if (known && known.until > this.now() && known.target === undefined) return;
    this.pending.add(conversationId);
    this.pump();
  }

  /**
   * Sends an ephemeral event (typing, delivery receipt) once, without retries or records, to an application
   * that opted in: it was never stored, so there is nothing to be durable about.
   */
  ephemeral(event: PushedEvent): void {
    if (this.closed || !EPHEMERAL_TYPES.has(event.type)) return;
    if (this.ephemeralInFlight >= MAX_EPHEMERAL_IN_FLIGHT) return;
    this.ephemeralInFlight++;
    this.track(
      this.sendEphemeral(event)
        .catch((error: unknown) => this.logger.debug({ err: error }, 'webhooks: ephemeral event not sent'))
        .finally(() => this.ephemeralInFlight--),
    );
  }

  /** The conversation's target, read afresh (and remembered) unless `cached` allows a recent answer. */
  private async targetOf(conversationId: string, cached: boolean): Promise<WebhookTarget | undefined> {
    const now = this.now();
    const known = this.targets.get(conversationId);
    if (cached && known && known.until > now) return known.target;
    const target = await this.outbox.targetOfConversation(conversationId);
    if (this.targets.size >= 10_000) this.targets.clear();
    this.targets.set(conversationId, { target, until: now + TARGET_CACHE_MS });
    return target;
  }

  private async sendEphemeral(event: PushedEvent): Promise<void> {
    const target = await this.targetOf(event.cid, true);
    if (!target?.ephemeral) return;
    const sender = event.from === null ? undefined : await this.senderOf(event.from, new Map());
    const body = JSON.stringify(
      webhookPayload(target.applicationId, { ...event, conversationId: event.cid, id: undefined }, sender),
    );
    const attempt = await this.sender.send({
      url: target.url,
      body,
      headers: {
        authorization: await this.signer.authorization(target.applicationId, body, this.now()),
        [DELIVERY_ID_HEADER]: randomUUID(),
        [ATTEMPT_HEADER]: '1',
      },
    });
    this.metrics.attempts.inc({ outcome: attempt.ok ? 'ephemeral' : 'ephemeral_failed' });
  }

  /** Stops taking work, waits for attempts in flight, and hands back this node's leases. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    this.pending.clear();
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    try {
      await this.outbox.releaseAll(this.options.owner);
    } catch (error) {
      this.logger.warn({ err: error }, 'webhooks: could not release leases');
    }
  }

  private async scan(): Promise<void> {
    if (this.closed || this.scanning) return;
    this.scanning = true;
    const now = this.now();
    try {
      for (const cid of await this.outbox.dueConversations(iso(now), SCAN_LIMIT)) {
        if (!this.retries.has(cid)) this.pending.add(cid);
      }
      this.pump();
      if (!this.replaying) this.track(this.replays());
      if (now - this.lastPrune >= PRUNE_EVERY_MS) {
        this.lastPrune = now;
        await this.outbox.prune(iso(now - this.options.retentionMs));
      }
    } catch (error) {
      if (!this.closed) this.logger.warn({ err: error }, 'webhooks: scanning the outbox failed');
    } finally {
      this.scanning = false;
    }
  }

  private pump(): void {
    for (const cid of this.pending) {
      if (this.closed || this.active.size >= this.options.concurrency) return;
      this.pending.delete(cid);
      if (this.active.has(cid)) {
        this.again.add(cid);
        continue;
      }
      this.active.add(cid);
      this.track(
        this.drain(cid)
          .catch((error: unknown) => {
            if (!this.closed)
              this.logger.warn({ err: error, conversation: cid }, 'webhooks: delivery stalled');
          })
          .finally(() => {
            this.active.delete(cid);
            if (this.again.delete(cid)) this.pending.add(cid);
            this.pump();
          }),
      );
    }
  }

  private track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  private wakeLater(conversationId: string, delayMs: number): void {
    clearTimeout(this.retries.get(conversationId));
    const timer = setTimeout(() => {
      this.retries.delete(conversationId);
      this.wake(conversationId);
    }, delayMs);
    timer.unref();
    this.retries.set(conversationId, timer);
  }

  /** Works through one conversation's backlog while holding its lease. */
  private async drain(conversationId: string): Promise<void> {
    const { owner, leaseMs, policy } = this.options;
    // A read first: conversations of applications without an event URL are never written to.
    if (!(await this.targetOf(conversationId, false))) return;
    let leaseUntil = this.now() + leaseMs;
    const cursor = await this.outbox.claim(conversationId, owner, iso(this.now()), iso(leaseUntil));
    if (!cursor) return;
    let settled: DeliveryRecord[] = [];
    const save = (leaseTo: number | null): Promise<boolean> => {
      const deliveries = settled;
      settled = [];
      return this.outbox.settle(
        conversationId,
        owner,
        {
          deliveredId: cursor.deliveredId,
          attempts: cursor.attempts,
          firstAttempt: cursor.firstAttempt,
          nextAttempt: cursor.nextAttempt,
          lastError: cursor.lastError,
          leaseUntil: leaseTo === null ? null : iso(leaseTo),
        },
        deliveries,
      );
    };

    const waitUntil = cursor.nextAttempt === null ? 0 : Date.parse(cursor.nextAttempt);
    if (waitUntil > this.now()) {
      await save(null);
      this.wakeLater(conversationId, waitUntil - this.now());
      return;
    }
    const target = await this.outbox.target(cursor.applicationId);
    if (!target) {
      await save(null);
      return;
    }
    const senders = new Map<string, Promise<Sender | undefined>>();
    for (;;) {
      const events = await this.outbox.eventsAfter(conversationId, cursor.deliveredId, BATCH);
      if (events.length === 0 || this.closed) break;
      for (const event of events) {
        if (this.closed) break;
        // Renew before half the lease is gone, so a slow receiver never lets another node take over mid-batch.
        if (this.now() > leaseUntil - leaseMs / 2) {
          leaseUntil = this.now() + leaseMs;
          if (!(await save(leaseUntil))) return;
        }
        const started = this.now();
        const firstAttempt = cursor.firstAttempt ?? iso(started);
        const attempt = await this.attempt(target, event, cursor.attempts + 1, senders);
        const record = this.record(target, event, cursor.attempts + 1, firstAttempt, attempt);
        if (attempt.ok) {
          Object.assign(cursor, advanced(event.id));
          settled.push(record);
          continue;
        }
        if (Date.parse(firstAttempt) + policy.giveUpAfterMs <= this.now()) {
          this.metrics.attempts.inc({ outcome: 'failed' });
          this.logger.warn(failureLog(event, record), 'webhooks: gave up on a delivery');
          Object.assign(cursor, advanced(event.id));
          settled.push({ ...record, status: 'failed' });
          continue;
        }
        this.metrics.attempts.inc({ outcome: 'retry' });
        const delay = retryDelay(cursor.attempts + 1, policy, this.random);
        const next = iso(this.now() + delay);
        Object.assign(cursor, {
          attempts: cursor.attempts + 1,
          firstAttempt,
          nextAttempt: next,
          lastError: record.lastError,
        });
        settled.push({ ...record, nextAttempt: next });
        this.logger.info(failureLog(event, record), 'webhooks: attempt failed, will retry');
        if (await save(null)) this.wakeLater(conversationId, delay);
        return;
      }
      // A short batch was the end of the backlog: save and let go in one commit.
      if (events.length < BATCH) {
        await save(null);
        return;
      }
      if (!(await save(this.now() + leaseMs))) return;
    }
    await save(null);
  }

  /**
   * Sends queued replays, a few at a time so that each batch finishes well within its lease; each is one
   * attempt, retried on later scans as its backoff allows.
   */
  private async replays(): Promise<void> {
    this.replaying = true;
    try {
      const { owner, leaseMs, concurrency } = this.options;
      const now = this.now();
      const claimed = await this.outbox.claimReplays(owner, iso(now), iso(now + leaseMs), concurrency);
      await Promise.all(claimed.map((delivery) => this.replay(delivery)));
    } catch (error) {
      if (!this.closed) this.logger.warn({ err: error }, 'webhooks: replaying failed');
    } finally {
      this.replaying = false;
    }
  }

  private async replay(delivery: DeliveryRecord): Promise<void> {
    const { owner, policy } = this.options;
    if (this.closed) return;
    const [target, event] = await Promise.all([
      this.outbox.target(delivery.applicationId),
      this.store.getEvent(delivery.conversationId, delivery.eventId),
    ]);
    const attempts = delivery.attempts + 1;
    const firstAttempt = delivery.firstAttempt ?? iso(this.now());
    if (!target || !event) {
      const lastError = target ? 'the event no longer exists' : 'the application has no event URL';
      await this.outbox.settleReplay(owner, {
        ...delivery,
        status: 'failed',
        lastError,
        nextAttempt: null,
        updated: iso(this.now()),
      });
      return;
    }
    const attempt = await this.attempt(target, event, attempts, new Map());
    const record = {
      ...this.record(target, event, attempts, firstAttempt, attempt),
      created: delivery.created,
    };
    if (attempt.ok) {
      await this.outbox.settleReplay(owner, record);
    } else if (Date.parse(firstAttempt) + policy.giveUpAfterMs <= this.now()) {
      this.metrics.attempts.inc({ outcome: 'failed' });
      await this.outbox.settleReplay(owner, { ...record, status: 'failed' });
    } else {
      this.metrics.attempts.inc({ outcome: 'retry' });
      const next = iso(this.now() + retryDelay(attempts, policy, this.random));
      await this.outbox.settleReplay(owner, { ...record, status: 'queued', nextAttempt: next });
    }
  }

  private async attempt(
    target: WebhookTarget,
    event: EventRecord,
    attemptNumber: number,
    senders: Map<string, Promise<Sender | undefined>>,
  ): Promise<Attempt> {
    const sender = event.from === null ? undefined : await this.senderOf(event.from, senders);
    const body = JSON.stringify(webhookPayload(target.applicationId, event, sender));
    const headers = {
      authorization: await this.signer.authorization(target.applicationId, body, this.now()),
      [DELIVERY_ID_HEADER]: deliveryId(event.conversationId, event.id),
      [ATTEMPT_HEADER]: String(attemptNumber),
    };
    const started = performance.now();
    const attempt = await this.sender.send({ url: target.url, headers, body });
    this.metrics.latency.observe((performance.now() - started) / 1000);
    if (attempt.ok) this.metrics.attempts.inc({ outcome: 'delivered' });
    return attempt;
  }

  private senderOf(
    memberId: string,
    senders: Map<string, Promise<Sender | undefined>>,
  ): Promise<Sender | undefined> {
    let found = senders.get(memberId);
    if (!found) {
      found = this.store.getMember(memberId).then(async (member) => {
        if (!member) return undefined;
        return { member, user: await this.store.getUser(member.userId) };
      });
      senders.set(memberId, found);
    }
    return found;
  }

  private record(
    target: WebhookTarget,
    event: EventRecord,
    attempts: number,
    firstAttempt: string,
    attempt: Attempt,
  ): DeliveryRecord {
    const now = iso(this.now());
    return {
      id: deliveryId(event.conversationId, event.id),
      applicationId: target.applicationId,
      conversationId: event.conversationId,
      eventId: event.id,
      eventType: event.type,
      status: attempt.ok ? 'delivered' : 'pending',
      attempts,
      lastStatus: attempt.status,
      lastError: attempt.ok ? null : attempt.error,
      firstAttempt,
      nextAttempt: null,
      created: now,
      updated: now,
    };
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The cursor once `eventId` is settled: the next event starts with a clean slate. */
const advanced = (eventId: number): Partial<WebhookCursor> => ({
  deliveredId: eventId,
  attempts: 0,
  firstAttempt: null,
  nextAttempt: null,
  lastError: null,
});

/** What a failure log line may say: ids, status and error, never the body, URL or signature. */
const failureLog = (event: EventRecord, record: DeliveryRecord) => ({
  conversation: event.conversationId,
  event: event.id,
  delivery: record.id,
  attempts: record.attempts,
  status: record.lastStatus,
  error: record.lastError,
});
