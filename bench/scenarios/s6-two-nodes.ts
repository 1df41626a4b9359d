import { mkdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import type { ClientSpec, PublisherSpec } from '../load/messages.js';
import { ParleyAdmin, type SeededRoom } from '../lib/parley-admin.js';
import { fmtRate } from '../lib/report.js';
import { startParley, type RunningServer } from '../lib/servers.js';
import type { BenchContext, RepOutcome } from './context.js';
import { measureFanout } from './fanout.js';
import { bigRoomClients, spread, startSystem, type Runner } from './runner.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TWO_NODES = 'P-native×2';

function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port || 6379), hostname);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d: Buffer) => done(d.toString().startsWith('+PONG')));
  });
}

const dbUrl = (name: string) => {
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
};

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

interface ClusterSeed {
  db: string;
  room: SeededRoom;
  tokens: Record<string, string>;
}

let clusterSeed: ClusterSeed | undefined;

/**
 * S6: the big room split over two Parley nodes that share PostgreSQL and deliver to each other over Redis;
 * half the members and half the publishers on each node. B-ws (one node) runs the same load for reference.
 */
export const s6TwoNodes: Runner = {
  name: 'S6',
  scenarios: ['S6'],
  systems: () => ['B-ws', TWO_NODES],
  async prepare(ctx: BenchContext): Promise<string | undefined> {
    if (!(await redisAnswers(REDIS_URL))) return `no Redis at ${REDIS_URL}`;
    try {
      await admin('select 1');
    } catch (e) {
      return `no PostgreSQL at ${PG_URL} (${e instanceof Error ? e.message : String(e)}); nodes that share state need it`;
    }
    const db = `parley_bench_seed_${process.pid}`;
    await admin(`drop database if exists ${db}`);
    await admin(`create database ${db}`);
    const dir = join(ctx.paths.tmpDir, `s6-seed-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const server = await startParley({
      ...ctx.paths,
      dataDirs: [dir],
      pinned: false,
      env: { PARLEY_DATABASE_URL: dbUrl(db) },
    });
    try {
      const a = await ParleyAdmin.createApp(server.urls[0] ?? '');
      const users = Array.from({ length: ctx.cfg.s6.members }, (_, i) => `b${i}`);
      await a.createUsers(users);
      const [room] = await a.createRooms([users]);
      const tokens = Object.fromEntries(users.map((u) => [u, a.token(u)]));
      clusterSeed = { db, room: room as SeededRoom, tokens };
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    return undefined;
  },
  async run(ctx: BenchContext, system: string, rep: number): Promise<RepOutcome[]> {
    const { members, publishers, rate, warmupMs, measureMs } = ctx.cfg.s6;
    let server: RunningServer;
    let plan: { byWorker: ClientSpec[][]; publishers: PublisherSpec[][]; room: string; keys: string[] };
    let db: string | undefined;
    const dirs: string[] = [];
    if (system === TWO_NODES) {
      const seed = clusterSeed;
      if (!seed) throw new Error('no cluster seed');
      db = `parley_bench_${process.pid}_${rep}`;
      await admin(`drop database if exists ${db}`);
      await admin(`create database ${db} template ${seed.db}`);
      for (const n of [0, 1]) {
        const dir = join(ctx.paths.tmpDir, `s6-${process.pid}-${rep}-${n}`);
        mkdirSync(dir, { recursive: true });
        dirs.push(dir);
      }
      server = await startParley({
        ...ctx.paths,
        dataDirs: dirs,
        env: { PARLEY_DATABASE_URL: dbUrl(db), PARLEY_REDIS_URL: REDIS_URL },
      });
      const clients: ClientSpec[] = Array.from({ length: members }, (_, i) => ({
        key: `b${i}`,
        room: seed.room.cid,
        token: seed.tokens[`b${i}`] ?? '',
        node: i % 2,
      }));
      const pubs: PublisherSpec[] = Array.from({ length: publishers }, (_, i) => ({
        key: `b${i}`,
        rate,
        phase: i / publishers,
      }));
      plan = {
        byWorker: spread(clients, ctx.cfg.workers),
        publishers: spread(pubs, ctx.cfg.workers),
        room: seed.room.cid,
        keys: clients.map((c) => c.key),
      };
    } else {
      server = await startSystem(ctx, 'B-ws', `s6-${system}-${rep}`);
      plan = bigRoomClients(ctx, 'B-ws', members, publishers, rate);
    }
    try {
      const open = await ctx.pool.open(
        system === TWO_NODES ? 'pnative' : 'bws',
        server.urls,
        plan.byWorker,
        50,
      );
      const fan = await measureFanout(ctx.pool, server, {
        publishers: plan.publishers,
        roomOf: new Map(plan.keys.map((k) => [k, plan.room])),
        recipients: new Map([[plan.room, open.opened]]),
        warmupMs,
        measureMs,
      });
      const final = await ctx.pool.stats();
      return [
        {
          scenario: 'S6',
          system,
          rep,
          offered: `${fmtRate(fan.metrics.offeredMsgPerSec ?? 0)} msg/s × ${open.opened} members${system === TWO_NODES ? ' on 2 nodes' : ''}`,
          metrics: {
            ...fan.metrics,
            connections: open.opened,
            connectFailed: open.failed,
            loss: fan.expected - (final.accepted.w + final.accepted.m),
            reorder: final.reordered,
          },
          notes:
            system === TWO_NODES ? ['CPU is both nodes together; Redis and PostgreSQL are not counted'] : [],
        },
      ];
    } finally {
      await ctx.pool.close();
      await server.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
      if (db) await admin(`drop database if exists ${db}`);
    }
  },
  async finish(): Promise<void> {
    if (clusterSeed) await admin(`drop database if exists ${clusterSeed.db}`);
    clusterSeed = undefined;
  },
};
