import type { Logger } from 'pino';
import { retryDelay, type RetryPolicy } from '../../core/webhooks/retry-policy.js';
import type { Store } from '../../store/store.js';
import type { WebhookOutbox } from '../../store/webhook-outbox.js';
import type { DeliveryRecord } from '../../store/webhook-records.js';
import { deliveryRecord, iso } from './delivery-log.js';
import type { WebhookMetrics } from './webhook-metrics.js';
import type { WebhookPoster } from './webhook-poster.js';

export interface ReplayerOptions {
  owner: string;
  policy: RetryPolicy;
  leaseMs: number;
  /** Replays claimed and sent at once: few enough that each batch ends well within its lease. */
  concurrency: number;
  now: () => number;
  random: () => number;
}

/**
 * Sends queued replays (`webhook:replay`): history, so outside the per-conversation order. Each run is one
 * attempt per claimed replay; a failed one is queued again for later runs as its backoff allows.
 */
export class WebhookReplayer {
  private running = false;

  constructor(
    private readonly outbox: WebhookOutbox,
    private readonly store: Store,
    private readonly poster: WebhookPoster,
    private readonly metrics: WebhookMetrics,
    private readonly logger: Logger,
    private readonly options: ReplayerOptions,
  ) {}

  /** One batch of due replays; resolves at once when a batch is already running. */
  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const { owner, leaseMs, concurrency, now } = this.options;
      const at = now();
      const claimed = await this.outbox.claimReplays(owner, iso(at), iso(at + leaseMs), concurrency);
      await Promise.all(claimed.map((delivery) => this.replay(delivery)));
    } catch (error) {
      this.logger.warn({ err: error }, 'webhooks: replaying failed');
    } finally {
      this.running = false;
    }
  }

  private async replay(delivery: DeliveryRecord): Promise<void> {
    const { owner, policy, now } = this.options;
    const [target, event] = await Promise.all([
      this.outbox.target(delivery.applicationId),
      this.store.getEvent(delivery.conversationId, delivery.eventId),
    ]);
    if (!target || !event) {
      const lastError = target ? 'the event no longer exists' : 'the application has no event URL';
      const updated = iso(now());
      await this.outbox.settleReplay(owner, {
        ...delivery,
        status: 'failed',
        lastError,
        nextAttempt: null,
        updated,
      });
      return;
    }
    const attempts = delivery.attempts + 1;
    const firstAttempt = delivery.firstAttempt ?? iso(now());
    const attempt = await this.poster.post(target, event, { id: delivery.id, attempt: attempts });
    const record = {
      ...deliveryRecord(target, event, attempts, firstAttempt, attempt, iso(now())),
      created: delivery.created,
    };
    if (attempt.ok) {
      this.metrics.attempts.inc({ outcome: 'delivered' });
      await this.outbox.settleReplay(owner, record);
    } else if (Date.parse(firstAttempt) + policy.giveUpAfterMs <= now()) {
      this.metrics.attempts.inc({ outcome: 'failed' });
      await this.outbox.settleReplay(owner, { ...record, status: 'failed' });
    } else {
      this.metrics.attempts.inc({ outcome: 'retry' });
      const next = iso(now() + retryDelay(attempts, policy, this.options.random));
      await this.outbox.settleReplay(owner, { ...record, status: 'queued', nextAttempt: next });
    }
  }
}
