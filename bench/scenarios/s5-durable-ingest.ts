import { join } from 'node:path';
import type { ClientSpec } from '../load/messages.js';
import { Histogram } from '../lib/histogram.js';
import { SERVER_CPU, launchPinned } from '../lib/launch.js';
import type { BenchContext, RepOutcome } from './context.js';
import { drain } from './fanout.js';
import { spread, startSystem, type Runner } from './runner.js';

interface BdbResult {
  commits: number;
  commitsPerSec: number;
  commitP50Ms: number;
  commitP99Ms: number;
  fsyncP50Ms: number;
  fsyncP99Ms: number;
}

/** Rate limits are raised for this scenario only: it measures the durable write path, not the limiter. */
/** One sender per ingest room, each with its own user token. */
export function ingestClients(seed: NonNullable<BenchContext['seed']>, senders: number): ClientSpec[] {
  return seed.ingestRooms.slice(0, senders).map((room, i) => ({
    key: `i${i}`,
    room: room.cid,
    token: seed.tokens[`i${i}`] ?? '',
    node: 0,
  }));
}

export const INGEST_ENV = { PARLEY_RATE_LIMIT: '1000000', PARLEY_USER_RATE_LIMIT: '1000000' };

/**
 * S5: how many texts a second Parley acknowledges as durably committed, closed loop, each sender alone in
 * its conversation, against B-db, raw SQLite doing one durable commit per row on the same disk.
 */
export const s5DurableIngest: Runner = {
  name: 'S5',
  scenarios: ['S5'],
  systems: () => ['B-db', 'P-native'],
  async run(ctx: BenchContext, system: string, rep: number): Promise<RepOutcome[]> {
    const { senders, window, warmupMs, measureMs, bdbMs } = ctx.cfg.s5;
    if (system === 'B-db') {
      const proc = launchPinned(SERVER_CPU, [
        join(ctx.paths.distDir, 'baselines', 'sqlite-writes.js'),
        '--ms',
        String(bdbMs),
        '--dir',
        ctx.paths.tmpDir,
      ]);
      const code = await proc.exited;
      const line = proc.output().trim().split('\n').at(-1) ?? '';
      if (code !== 0) throw new Error(`sqlite-writes exited ${code}: ${proc.output().slice(-2000)}`);
      const r = JSON.parse(line) as BdbResult;
      return [
        {
          scenario: 'S5',
          system,
          rep,
          offered: 'one row per commit, back to back',
          metrics: { ...r },
          notes: [],
        },
      ];
    }
    const seed = ctx.seed;
    if (!seed) throw new Error('Parley needs the seed');
    const server = await startSystem(ctx, 'P-native', `s5-${rep}`, { env: INGEST_ENV });
    try {
      const clients = ingestClients(seed, senders);
      const byWorker = spread(clients, ctx.cfg.workers);
      const open = await ctx.pool.open('pnative', server.urls, byWorker, 50);
      const keys = byWorker.map((w) => w.map((c) => c.key));
      const warm = await ctx.pool.ingest(keys, warmupMs, window);
      const cpu0 = server.cpuMicros();
      const results = await ctx.pool.ingest(keys, measureMs, window);
      const cpu = server.cpuMicros() - cpu0;
      const acked = results.reduce((a, r) => a + r.acked, 0);
      const ackedTotal = acked + warm.reduce((a, r) => a + r.acked, 0);
      const elapsedS = Math.max(...results.map((r) => r.elapsedMs)) / 1000;
      const hist = Histogram.from(...results.map((r) => r.ack));
      const final = await drain(
        ctx.pool,
        () => ackedTotal,
        (s) => s.accepted.m,
      );
      const errors = [...results, ...warm].reduce((a, r) => a + r.errors, 0);
      const codes: Record<string, number> = {};
      for (const r of [...results, ...warm])
        for (const [k, v] of Object.entries(r.errorCodes)) codes[k] = (codes[k] ?? 0) + v;
      return [
        {
          scenario: 'S5',
          system,
          rep,
          offered: `closed loop, ${open.opened} senders × ${window} in flight`,
          metrics: {
            ackedPerSec: acked / elapsedS,
            ackP50Ms: hist.percentileMs(50),
            ackP99Ms: hist.percentileMs(99),
            ackP999Ms: hist.percentileMs(99.9),
            serverCpuUsPerMsg: cpu / Math.max(1, acked),
            ingestErrors: errors,
            // Every acknowledged text must come back on the sender's own session, once and in order.
            loss: ackedTotal - final.accepted.m,
            reorder: final.reordered,
          },
          notes: errors > 0 ? [`send errors: ${JSON.stringify(codes)}`] : [],
        },
      ];
    } finally {
      await ctx.pool.close();
      await server.stop();
    }
  },
};
