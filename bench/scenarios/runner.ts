import { rmSync } from 'node:fs';
import type { ClientSpec, PublisherSpec } from '../load/messages.js';
import { freshDataDir } from '../lib/parley-seed.js';
import { startPeer } from '../lib/peers/peers.js';
import {
  isParley,
  isPeer,
  startBaseline,
  startParley,
  type RunningServer,
  type SystemId,
} from '../lib/servers.js';
import type { BenchContext, RepOutcome, ScenarioId } from './context.js';

/** A group of scenarios measured together on one server per system and repetition. */
export interface Runner {
  name: string;
  scenarios: ScenarioId[];
  systems(ctx: BenchContext): string[];
  /** Repetitions this runner makes at most (default: the run's); the peers make fewer in a quick run. */
  reps?(ctx: BenchContext): number;
  /** Once per run, before the repetitions (e.g. S6's PostgreSQL seed); returns a reason to skip, if any. */
  prepare?(ctx: BenchContext): Promise<string | undefined>;
  run(
    ctx: BenchContext,
    system: string,
    rep: number,
    selected: ReadonlySet<ScenarioId>,
  ): Promise<RepOutcome[]>;
  finish?(ctx: BenchContext): Promise<void>;
}

/** Starts a system's server pinned to the server CPU; Parley and the peers get a fresh copy of their seeded data. */
export async function startSystem(
  ctx: BenchContext,
  system: SystemId,
  label: string,
  options: { env?: Record<string, string> } = {},
): Promise<RunningServer> {
  if (isPeer(system)) {
    const peer = ctx.peers.find((p) => p.driver.id === system);
    if (!peer) throw new Error(`${system} was not prepared`);
    return startPeer(peer, ctx.paths.tmpDir, label, (m) => ctx.log(m));
  }
  if (!isParley(system)) return startBaseline(system as 'B-ws' | 'B-sio', ctx.paths);
  if (!ctx.seed) throw new Error('Parley needs the seed');
  const dir = freshDataDir(ctx.seed, ctx.paths.tmpDir, label);
  const server = await startParley({
    ...ctx.paths,
    dataDirs: [dir],
    env: options.env ?? {},
  });
  const stop = server.stop.bind(server);
  server.stop = async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return server;
}

/** Spreads `items` over the workers round-robin. */
export function spread<T>(
  items: readonly T[],
  workers: number,
  workerOf: (item: T, i: number) => number = (_x, i) => i % workers,
): T[][] {
  const out: T[][] = Array.from({ length: workers }, () => []);
  items.forEach((item, i) => out[workerOf(item, i) % workers]?.push(item));
  return out;
}

export interface BigRoomClients {
  byWorker: ClientSpec[][];
  publishers: PublisherSpec[][];
  room: string;
  keys: string[];
}

/** The big room's first `members` users as clients, with `publishers` of them publishing at `rate`. */
export function bigRoomClients(
  ctx: BenchContext,
  system: SystemId,
  members: number,
  publishers: number,
  rate: number,
): BigRoomClients {
  const parley = isParley(system);
  const room = parley ? (ctx.seed?.bigRoom.cid ?? '') : 'big';
  const clients: ClientSpec[] = Array.from({ length: members }, (_, i) => {
    const spec: ClientSpec = { key: `b${i}`, room, node: 0 };
    if (parley) spec.token = ctx.seed?.tokens[`b${i}`] ?? '';
    return spec;
  });
  const pubs: PublisherSpec[] = Array.from({ length: publishers }, (_, i) => ({
    key: `b${i}`,
    rate,
    phase: i / publishers,
  }));
  return {
    byWorker: spread(clients, ctx.cfg.workers),
    publishers: spread(pubs, ctx.cfg.workers),
    room,
    keys: clients.map((c) => c.key),
  };
}
