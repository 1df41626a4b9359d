import type { ClientSpec, PublisherSpec } from '../load/messages.js';
import { mapLimit } from '../lib/launch.js';
import { ParleyAdmin } from '../lib/parley-admin.js';
import { fmtRate } from '../lib/report.js';
import { postToRooms } from '../lib/peers/xmpp-post.js';
import { SYSTEM_KIND, isParley, isPeer, type SystemId } from '../lib/servers.js';
import { sleep } from '../lib/stats.js';
import type { BenchContext, RepOutcome, ScenarioId } from './context.js';
import { drain, measureFanout } from './fanout.js';
import { startSystem, type Runner } from './runner.js';
import { connectionStorm, reconnectStorm } from './s3-connection-storm.js';
import { idleMemory } from './s4-idle-connections.js';

/**
 * S2, S3 and S4 share one population per system and repetition, in this order: the connection storm (S3)
 * opens every client, the idle figures (S4) are taken once they settle, then the small rooms carry traffic
 * (S2), and last every client drops and reconnects at once, catching up on what was sent meanwhile (S3).
 */
export const population: Runner = {
  name: 'S2–S4',
  scenarios: ['S2', 'S3', 'S4'],
  systems: () => ['B-ws', 'B-sio', 'P-native', 'P-rtc'],
  async run(
    ctx: BenchContext,
    system: string,
    rep: number,
    selected: ReadonlySet<ScenarioId>,
  ): Promise<RepOutcome[]> {
    const { rooms, roomSize, rate, concurrency, settleMs, warmupMs, measureMs } = ctx.cfg.population;
    const id = system as SystemId;
    const parley = isParley(id);
    const seed = ctx.seed;
    const W = ctx.cfg.workers;
    const roomName = (r: number) => (parley ? (seed?.smallRooms[r]?.cid ?? '') : `r${r}`);
    // A room's members share a worker, so every delivery is also a latency sample.
    const byWorker: ClientSpec[][] = Array.from({ length: W }, () => []);
    const publishers: PublisherSpec[][] = Array.from({ length: W }, () => []);
    const roomOf = new Map<string, string>();
    for (let r = 0; r < rooms; r++) {
      for (let m = 0; m < roomSize; m++) {
        const key = `s${r * roomSize + m}`;
        const spec: ClientSpec = { key, room: roomName(r), node: 0 };
        if (parley) spec.token = seed?.tokens[key] ?? '';
        byWorker[r % W]?.push(spec);
        roomOf.set(key, spec.room);
      }
      publishers[r % W]?.push({ key: `s${r * roomSize}`, rate, phase: (r * 0.618) % 1 });
    }
    const total = rooms * roomSize;
    const outcomes: RepOutcome[] = [];
    const server = await startSystem(ctx, id, `pop-${system}-${rep}`);
    try {
      const before = await server.probe();
      const storm = await connectionStorm(ctx, server, SYSTEM_KIND[id], byWorker, concurrency);
      const recipients = new Map<string, number>();
      for (let r = 0; r < rooms; r++) recipients.set(roomName(r), roomSize);
      if (selected.has('S4')) {
        await sleep(settleMs);
        outcomes.push({
          scenario: 'S4',
          system,
          rep,
          offered: `${total.toLocaleString('en-US')} idle connections`,
          metrics: await idleMemory(server, before, storm.opened),
          notes: [],
        });
      }
      let expected = 0;
      if (selected.has('S2')) {
        const fan = await measureFanout(ctx.pool, server, {
          publishers,
          roomOf,
          recipients,
          warmupMs,
          measureMs,
        });
        expected += fan.expected;
        const s = await ctx.pool.stats();
        outcomes.push({
          scenario: 'S2',
          system,
          rep,
          offered: `${fmtRate(fan.metrics.offeredMsgPerSec ?? 0)} msg/s into ${rooms.toLocaleString('en-US')} rooms × ${roomSize}`,
          metrics: { ...fan.metrics, loss: expected - (s.accepted.w + s.accepted.m), reorder: s.reordered },
          notes: Object.keys(s.errorCodes).length > 0 ? [`send errors: ${JSON.stringify(s.errorCodes)}`] : [],
        });
      }
      if (selected.has('S3')) {
        const baseReorder = (await ctx.pool.stats()).reordered;
        await ctx.pool.drop();
        // While everyone is away, each room gets one text (Parley over REST, the peers from a session of its
        // own; the baselines keep nothing to catch up on).
        let missed = 0;
        if (isPeer(id)) {
          await postToRooms(
            server.urls[0] ?? '',
            Array.from({ length: rooms }, (_, r) => ({
              room: roomName(r),
              user: `s${r * roomSize}`,
              text: `rest:${r}|0|x|0|`,
            })),
          );
          missed = rooms * roomSize;
        }
        if (parley && seed) {
          const admin = ParleyAdmin.forApp(server.urls[0] ?? '', seed.app);
          await mapLimit(seed.smallRooms.slice(0, rooms), 64, async (room, r) => {
            await admin.postText(room.cid, room.memberIds[0] ?? '', `rest:${r}|0|x|0|`);
          });
          missed = rooms * roomSize;
        }
        const again = await reconnectStorm(ctx, server, concurrency);
        const s = await drain(
          ctx.pool,
          () => missed,
          (x) => x.accepted.x,
          1000,
          5000,
        );
        outcomes.push({
          scenario: 'S3',
          system,
          rep,
          offered: `${total.toLocaleString('en-US')} connects, then ${total.toLocaleString('en-US')} reconnects${parley || isPeer(id) ? ' + catch-up' : ''}`,
          metrics: {
            ...storm.metrics,
            ...again,
            missedWhileAway: missed,
            loss: missed - s.accepted.x,
            reorder: s.reordered - baseReorder,
          },
          notes: storm.errors.concat(
            Object.keys(s.serverClosed).length > 0
              ? [`server closed: ${JSON.stringify(s.serverClosed)}`]
              : [],
          ),
        });
      }
      return outcomes;
    } finally {
      await ctx.pool.close();
      await server.stop();
    }
  },
};

/** S2–S4 for the peers: the same population and load, as a runner of its own so a short budget trims it first. */
export const peersPopulation: Runner = {
  ...population,
  name: 'S2–S4 peers',
  systems: (ctx) => ctx.peers.map((p) => p.driver.id),
  reps: (ctx) => ctx.cfg.peerReps,
};
