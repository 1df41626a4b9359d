import type { OpenSummary } from '../lib/load-pool.js';
import { fmtRate } from '../lib/report.js';
import type { RunningServer } from '../lib/servers.js';
import type { BenchContext, RepOutcome } from './context.js';
import { drain, measureFanout } from './fanout.js';
import { spread, type BigRoomClients } from './runner.js';

/**
 * S7, run on S1's room and clients right after S1: 1 % of the members stop reading for the whole measured
 * phase while the publishers send larger texts. The others' latency should not suffer; afterwards the slow
 * ones read again (or, if the server dropped them, reconnect and, on Parley, catch up), and every text must
 * have reached every member exactly once, in order.
 */
export async function slowConsumers(
  ctx: BenchContext,
  server: RunningServer,
  system: string,
  rep: number,
  plan: BigRoomClients,
  open: OpenSummary,
  expectedBefore: number,
): Promise<RepOutcome> {
  const { slowFraction, padBytes, warmupMs, measureMs } = ctx.cfg.s7;
  const slow = Math.max(1, Math.round(plan.keys.length * slowFraction));
  // Clients were spread round-robin, so client i lives in worker i % workers; publishers are the first few.
  const slowIndexes = Array.from({ length: slow }, (_, j) => plan.keys.length - 1 - j);
  const slowByWorker = spread(slowIndexes, ctx.cfg.workers, (i) => i % ctx.cfg.workers).map((list) =>
    list.map((i) => plan.keys[i] ?? ''),
  );
  const fan = await measureFanout(ctx.pool, server, {
    publishers: plan.publishers,
    roomOf: new Map(plan.keys.map((k) => [k, plan.room])),
    recipients: new Map([[plan.room, open.opened]]),
    warmupMs,
    measureMs,
    padBytes,
    duringMeasure: () => ctx.pool.pause(slowByWorker),
    notDraining: slow,
  });
  const during = await ctx.pool.stats();
  await ctx.pool.resume(slowByWorker);
  const again = await ctx.pool.reconnect(50);
  const expected = expectedBefore + fan.expected;
  const final = await drain(
    ctx.pool,
    () => expected,
    (s) => s.accepted.w + s.accepted.m,
    2000,
    20_000,
  );
  const closed = Object.values(during.serverClosed).reduce((a, b) => a + b, 0);
  return {
    scenario: 'S7',
    system,
    rep,
    offered: `${fmtRate(fan.metrics.offeredMsgPerSec ?? 0)} msg/s of ${padBytes} B × ${open.opened} members, ${slow} not reading`,
    metrics: {
      ...fan.metrics,
      slowConsumers: slow,
      slowClosedByServer: closed,
      reconnected: again.reconnected,
      caughtUp: again.caughtUp,
      loss: expected - (final.accepted.w + final.accepted.m),
      reorder: final.reordered,
    },
    notes: closed > 0 ? [`server closed: ${JSON.stringify(during.serverClosed)}`] : [],
  };
}
