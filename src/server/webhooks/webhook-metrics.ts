import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Webhook delivery metrics, registered beside the server's own. */
export class WebhookMetrics {
  readonly attempts: Counter<'outcome'>;
  readonly latency: Histogram;

  constructor(registry: Registry, backlog: () => Promise<{ depth: number; oldest: string | null }>) {
    this.attempts = new Counter({
      name: 'parley_webhook_attempts_total',
      help: 'Webhook attempts by outcome: delivered, retry (failed, will retry), failed (given up), ephemeral(_failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'parley_webhook_attempt_duration_seconds',
      help: 'Time from sending a webhook to its response or failure',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    // One query answers both gauges; it runs when /metrics is scraped, never on the delivery path.
    let pending: Promise<{ depth: number; oldest: string | null }> | undefined;
    const read = () => (pending ??= backlog().finally(() => (pending = undefined)));
    new Gauge({
      name: 'parley_webhook_outbox_depth',
      help: 'Committed events not yet delivered (or given up) to their application',
      registers: [registry],
      async collect() {
        this.set((await read()).depth);
      },
    });
    new Gauge({
      name: 'parley_webhook_oldest_undelivered_seconds',
      help: 'Age of the oldest committed event not yet delivered; 0 when none waits',
      registers: [registry],
      async collect() {
        const { oldest } = await read();
        this.set(oldest === null ? 0 : Math.max(0, (Date.now() - Date.parse(oldest)) / 1000));
      },
    });
  }
}
