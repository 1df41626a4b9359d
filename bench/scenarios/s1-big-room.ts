import { fmtRate } from '../lib/report.js';
import { SYSTEM_KIND, isPeer, type SystemId } from '../lib/servers.js';
import type { BenchContext, RepOutcome, ScenarioId } from './context.js';
import { measureFanout } from './fanout.js';
import { bigRoomClients, startSystem, type Runner } from './runner.js';
import { slowConsumers } from './s7-slow-consumers.js';

/**
 * Joins in flight per load process when a peer fills the big room. A MUC join costs the server work in
 * proportion to the room (its presence goes to every occupant, theirs to it), so with 50 per process the
 * last joins of a 1,000-member room waited past the 60 s login timeout; a join that gives up leaves, and
 * its departure is broadcast too, which made it worse. Filling the room is setup, not S1's measurement.
 */
const PEER_JOIN_CONCURRENCY = 10;

/**
 * S1: one room with every client in it; a few publishers at fixed rates; every text fans out to all.
 * S7 (slow consumers) follows on the same server and clients, so the room is connected only once.
 */
export const s1BigRoom: Runner = {
  name: 'S1/S7',
  scenarios: ['S1', 'S7'],
  systems: () => ['B-ws', 'B-sio', 'P-native', 'P-rtc'],
  async run(
    ctx: BenchContext,
    system: string,
    rep: number,
    selected: ReadonlySet<ScenarioId>,
  ): Promise<RepOutcome[]> {
    const { members, publishers, rate, warmupMs, measureMs } = ctx.cfg.s1;
    const id = system as SystemId;
    const server = await startSystem(ctx, id, `s1-${system}-${rep}`);
    const outcomes: RepOutcome[] = [];
    try {
      const plan = bigRoomClients(ctx, id, members, publishers, rate);
      const open = await ctx.pool.open(
        SYSTEM_KIND[id],
        server.urls,
        plan.byWorker,
        isPeer(system) ? PEER_JOIN_CONCURRENCY : 50,
      );
      if (open.failed > 0)
        ctx.log(`  ${system}: ${open.failed} clients failed to connect: ${open.errors.join('; ')}`);
      let expected = 0;
      if (selected.has('S1')) {
        const fan = await measureFanout(ctx.pool, server, {
          publishers: plan.publishers,
          roomOf: new Map(plan.keys.map((k) => [k, plan.room])),
          recipients: new Map([[plan.room, open.opened]]),
          warmupMs,
          measureMs,
        });
        expected = fan.expected;
        const final = await ctx.pool.stats();
        outcomes.push({
          scenario: 'S1',
          system,
          rep,
          offered: `${fmtRate(fan.metrics.offeredMsgPerSec ?? 0)} msg/s × ${open.opened} members`,
          metrics: {
            ...fan.metrics,
            connections: open.opened,
            connectFailed: open.failed,
            connectSeconds: open.elapsedMs / 1000,
            loss: expected - (final.accepted.w + final.accepted.m),
            reorder: final.reordered,
          },
          notes:
            Object.keys(final.errorCodes).length > 0
              ? [`send errors: ${JSON.stringify(final.errorCodes)}`]
              : [],
        });
      }
      if (selected.has('S7') && !isPeer(system))
        outcomes.push(await slowConsumers(ctx, server, system, rep, plan, open, expected));
      return outcomes;
    } finally {
      await ctx.pool.close();
      await server.stop();
    }
  },
};

/** S1 for the peers: the same room, clients and load, as a runner of its own so a short budget trims it first. */
export const peersBigRoom: Runner = {
  ...s1BigRoom,
  name: 'S1 peers',
  scenarios: ['S1'],
  systems: (ctx) => ctx.peers.map((p) => p.driver.id),
  reps: (ctx) => ctx.cfg.peerReps,
};
