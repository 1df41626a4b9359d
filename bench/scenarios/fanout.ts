import type { PublisherSpec } from '../load/messages.js';
import type { LoadPool, StatsSummary } from '../lib/load-pool.js';
import type { RunningServer } from '../lib/servers.js';
import { sleep } from '../lib/stats.js';
import type { Metrics } from './context.js';

export interface FanoutPlan {
  /** Publishers, by worker. */
  publishers: PublisherSpec[][];
  /** Connected clients per room (the expected recipients of each of its messages). */
  roomOf: Map<string, string>;
  recipients: Map<string, number>;
  warmupMs: number;
  measureMs: number;
  padBytes?: number;
  /** Runs while the measured phase publishes (S7 pauses its slow consumers here). */
  duringMeasure?: () => Promise<void>;
  /** Recipients that are not expected to keep up (S7's paused clients): the drain does not wait for them. */
  notDraining?: number;
}

export interface FanoutOutcome {
  metrics: Metrics;
  /** Expected deliveries so far (warm-up and measured), for the loss count at the end of the scenario. */
  expected: number;
  stats: StatsSummary;
}

/** Waits until `target` deliveries arrived or progress stalls. */
export async function drain(
  pool: LoadPool,
  target: () => number,
  count: (s: StatsSummary) => number,
  stallMs = 1500,
  maxMs = 15_000,
): Promise<StatsSummary> {
  const start = Date.now();
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const s = await pool.stats();
    const n = count(s);
    if (n >= target()) return s;
    if (n !== last) {
      last = n;
      lastChange = Date.now();
    }
    if (Date.now() - lastChange > stallMs || Date.now() - start > maxMs) return s;
    await sleep(100);
  }
}

/**
 * The common measurement of S1, S2, S6 and S7: open-loop publishers at fixed rates, a warm-up, then a
 * measured phase whose server CPU (from /proc) is divided by the deliveries it produced.
 */
export async function measureFanout(
  pool: LoadPool,
  server: RunningServer,
  plan: FanoutPlan,
): Promise<FanoutOutcome> {
  const expectedOf = (sent: { key: string; count: number }[][]) => {
    let n = 0;
    for (const part of sent)
      for (const s of part) n += s.count * (plan.recipients.get(plan.roomOf.get(s.key) ?? '') ?? 0);
    return n;
  };
  const warm = await pool.publish(plan.publishers, plan.warmupMs, 'w', plan.padBytes ?? 0);
  const expectedW = expectedOf(warm.map((w) => w.sent));
  await drain(
    pool,
    () => expectedW,
    (s) => s.accepted.w,
    1000,
    5000,
  );

  await pool.stats(true);
  const cpu0 = server.cpuMicros();
  const rss0 = server.rssBytes();
  let rssPeak = rss0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      rssPeak = Math.max(rssPeak, server.rssBytes());
      await sleep(200);
    }
  })();
  const t0 = performance.now();
  const [measured] = await Promise.all([
    pool.publish(plan.publishers, plan.measureMs, 'm', plan.padBytes ?? 0),
    plan.duringMeasure?.(),
  ]);
  const offered = measured.reduce((a, w) => a + w.sent.reduce((b, s) => b + s.count, 0), 0);
  const expectedM = expectedOf(measured.map((w) => w.sent));
  const offeredToStalled =
    measured.reduce((a, w) => a + w.sent.reduce((b, s) => b + s.count, 0), 0) * (plan.notDraining ?? 0);
  const stats = await drain(
    pool,
    () => expectedM - offeredToStalled,
    (s) => s.accepted.m,
  );
  const t1 = performance.now();
  const cpu1 = server.cpuMicros();
  sampling = false;
  await sampler;
  const delivered = stats.accepted.m;
  return {
    expected: expectedW + expectedM,
    stats,
    metrics: {
      offeredMsgPerSec: offered / (plan.measureMs / 1000),
      expectedDeliveriesPerSec: expectedM / (plan.measureMs / 1000),
      deliveredPerSec: delivered / (plan.measureMs / 1000),
      serverCpuUsPerMsg: (cpu1 - cpu0) / Math.max(1, delivered),
      serverCpuPct: ((cpu1 - cpu0) / 1000 / (t1 - t0)) * 100,
      p50Ms: stats.latency.percentileMs(50),
      p99Ms: stats.latency.percentileMs(99),
      p999Ms: stats.latency.percentileMs(99.9),
      latencySamples: stats.latency.count,
      measuredLoss: expectedM - delivered,
      sendErrors: measured.reduce((a, w) => a + w.sendErrors, 0),
      maxPublishLagMs: Math.max(...measured.map((w) => w.maxLagMs)),
      rssPeakGrowthMB: (rssPeak - rss0) / 1e6,
    },
  };
}
