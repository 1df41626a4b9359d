import type { Logger } from 'pino';
import { retryDelay, type RetryPolicy } from '../../core/webhooks/retry-policy.js';
import type { WebhookSigner } from '../../core/webhooks/webhook-signer.js';
import type { PushedEvent } from '../../protocol/realtime.js';
import type { Store } from '../../store/store.js';
import type { WebhookOutbox } from '../../store/webhook-outbox.js';
import type { DeliveryRecord, WebhookCursor } from '../../store/webhook-records.js';
import { deliveryId } from '../../core/webhooks/delivery-id.js';
import { deliveryRecord, failureLog, iso } from './delivery-log.js';
import { EphemeralWebhooks } from './ephemeral-webhooks.js';
import { TargetCache } from './target-cache.js';
import type { WebhookMetrics } from './webhook-metrics.js';
import { WebhookPoster, type SenderCache } from './webhook-poster.js';
import { WebhookReplayer } from './webhook-replayer.js';
import type { WebhookSender } from './webhook-sender.js';

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
/**
 * When another node holds a conversation this node has news for, it looks once more after this long: the
 * holder may have read its last batch just before the news was committed.
 */
const RECHECK_MS = 250;

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
  /** Conversations to look at once more because another node held them when they were woken here. */
  private readonly rechecks = new Map<string, NodeJS.Timeout>();
  private readonly rechecked = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private poller: NodeJS.Timeout | undefined;
  private closed = false;
  private scanning = false;
  private lastPrune = 0;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly poster: WebhookPoster;
  private readonly targets: TargetCache;
  private readonly replayer: WebhookReplayer;
  private readonly ephemerals: EphemeralWebhooks;

  constructor(
    private readonly outbox: WebhookOutbox,
    store: Store,
    signer: WebhookSigner,
    sender: WebhookSender,
    private readonly metrics: WebhookMetrics,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.poster = new WebhookPoster(store, signer, sender, metrics, this.now);
    this.targets = new TargetCache(outbox, this.now);
    this.replayer = new WebhookReplayer(outbox, store, this.poster, metrics, logger, {
      ...options,
      now: this.now,
      random: this.random,
    });
    this.ephemerals = new EphemeralWebhooks(this.targets, this.poster, metrics, logger);
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
    if (this.targets.knownAbsent(conversationId)) return;
    this.pending.add(conversationId);
    this.pump();
  }

  /** An ephemeral event (typing, delivery receipt) was published on this node. */
  ephemeral(event: PushedEvent): void {
    if (this.closed) return;
    const sending = this.ephemerals.send(event);
    if (sending) this.track(sending);
  }

  /** Stops taking work, waits for attempts in flight, and hands back this node's leases. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    for (const timer of [...this.retries.values(), ...this.rechecks.values()]) clearTimeout(timer);
    this.retries.clear();
    this.rechecks.clear();
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
      this.track(this.replayer.run());
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

  /** Looks at a conversation held elsewhere once more, soon; the scan covers it after that. */
  private recheck(conversationId: string): void {
    if (this.rechecked.delete(conversationId) || this.rechecks.has(conversationId) || this.closed) return;
    const timer = setTimeout(() => {
      this.rechecks.delete(conversationId);
      this.rechecked.add(conversationId);
      this.wake(conversationId);
    }, RECHECK_MS);
    timer.unref();
    this.rechecks.set(conversationId, timer);
  }

  /** Works through one conversation's backlog while holding its lease. */
  private async drain(conversationId: string): Promise<void> {
    const { owner, leaseMs, policy } = this.options;
    // A read first: conversations of applications without an event URL are never written to.
    if (!(await this.targets.get(conversationId, false))) return;
    let leaseUntil = this.now() + leaseMs;
    const cursor = await this.outbox.claim(conversationId, owner, iso(this.now()), iso(leaseUntil));
    if (!cursor) {
      this.recheck(conversationId);
      return;
    }
    this.rechecked.delete(conversationId);
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
    const senders: SenderCache = new Map();
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
        const attempts = cursor.attempts + 1;
        const attempt = await this.poster.post(
          target,
          event,
          { id: deliveryId(event.conversationId, event.id), attempt: attempts },
          senders,
        );
        const record = deliveryRecord(target, event, attempts, firstAttempt, attempt, iso(this.now()));
        if (attempt.ok) {
          this.metrics.attempts.inc({ outcome: 'delivered' });
          Object.assign(cursor, advanced(event.id));
          settled.push(record);
          continue;
        }
        if (Date.parse(firstAttempt) + policy.giveUpAfterMs <= this.now()) {
          this.metrics.attempts.inc({ outcome: 'failed' });
          this.logger.warn(failureLog(record), 'webhooks: gave up on a delivery');
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
        this.logger.info(failureLog(record), 'webhooks: attempt failed, will retry');
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
}

/** The cursor once `eventId` is settled: the next event starts with a clean slate. */
const advanced = (eventId: number): Partial<WebhookCursor> => ({
  deliveredId: eventId,
  attempts: 0,
  firstAttempt: null,
  nextAttempt: null,
  lastError: null,
});
