import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { PushedEvent } from '../../protocol/realtime.js';
import type { TargetCache } from './target-cache.js';
import type { WebhookMetrics } from './webhook-metrics.js';
import type { WebhookPoster } from './webhook-poster.js';

/** Ephemeral webhooks in flight per node; more are dropped, as they are best effort anyway. */
const MAX_IN_FLIGHT = 256;
const TYPES = new Set(['text:typing:on', 'text:typing:off', 'text:delivered']);

/**
 * Typing and delivery receipts for applications that opted in: sent once, without retries or records, since
 * they were never stored and there is nothing to be durable about.
 */
export class EphemeralWebhooks {
  private inFlight = 0;

  constructor(
    private readonly targets: TargetCache,
    private readonly poster: WebhookPoster,
    private readonly metrics: WebhookMetrics,
    private readonly logger: Logger,
  ) {}

  /** Starts sending the event if it is one to send; undefined when it is not (or too many are in flight). */
  send(event: PushedEvent): Promise<void> | undefined {
    if (!TYPES.has(event.type) || this.inFlight >= MAX_IN_FLIGHT) return undefined;
    this.inFlight++;
    return this.post(event)
      .catch((error: unknown) => this.logger.debug({ err: error }, 'webhooks: ephemeral event not sent'))
      .finally(() => this.inFlight--);
  }

  private async post(event: PushedEvent): Promise<void> {
    const target = await this.targets.get(event.cid, true);
    if (!target?.ephemeral) return;
    const attempt = await this.poster.post(
      target,
      { ...event, conversationId: event.cid, id: undefined },
      { id: randomUUID(), attempt: 1 },
    );
    this.metrics.attempts.inc({ outcome: attempt.ok ? 'ephemeral' : 'ephemeral_failed' });
  }
}
