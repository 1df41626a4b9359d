import { relative } from 'node:path';
import type { BenchContext } from '../scenarios/context.js';
import { measureFanout } from '../scenarios/fanout.js';
import { bigRoomClients, spread, startSystem } from '../scenarios/runner.js';
import { INGEST_ENV, ingestClients } from '../scenarios/s5-durable-ingest.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  where: string;
  selfMs: number;
  selfPct: number;
}

export interface ProfileSummary {
  totalMs: number;
  topFunctions: ProfileEntry[];
  byModule: ProfileEntry[];
}

/** Self time per function and per module of a `.cpuprofile`, idle time left out. */
export function summarizeProfile(profile: CpuProfile, root: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, ProfileNode>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fns = new Map<string, ProfileEntry>();
  const modules = new Map<string, ProfileEntry>();
  let total = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    // The profiler's own work, reached through node:inspector, is not the server's.
    if (parentOf.get(id)?.callFrame.url === 'node:inspector') continue;
    total += us;
    const url = node.callFrame.url.replace(/^file:\/\//, '');
    // Native functions have no source: name the JS function that called them instead.
    const caller = url ? undefined : parentOf.get(id)?.callFrame;
    const where = url
      ? `${relative(root, url)}:${node.callFrame.lineNumber + 1}`
      : caller?.url
        ? `native, called from ${caller.functionName || '(anonymous)'} ${relative(root, caller.url.replace(/^file:\/\//, ''))}:${caller.lineNumber + 1}`
        : '';
    const name = node.callFrame.functionName || '(anonymous)';
    const key = `${name} ${where}`;
    const f = fns.get(key) ?? { name, where, selfMs: 0, selfPct: 0 };
    f.selfMs += us / 1000;
    fns.set(key, f);
    const mod = moduleOf(url, name, root);
    const m = modules.get(mod) ?? { name: mod, where: '', selfMs: 0, selfPct: 0 };
    m.selfMs += us / 1000;
    modules.set(mod, m);
  }
  const finish = (xs: Iterable<ProfileEntry>, n: number) =>
    [...xs]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, n)
      .map((e) => ({
        ...e,
        selfMs: Math.round(e.selfMs),
        selfPct: Math.round((e.selfMs / (total / 1000)) * 1000) / 10,
      }));
  return {
    totalMs: Math.round(total / 1000),
    topFunctions: finish(fns.values(), 25),
    byModule: finish(modules.values(), 15),
  };
}

function moduleOf(url: string, name: string, root: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] ?? url;
  if (url.startsWith('node:')) return 'node core';
  return relative(root, url).replace(/^dist\//, '');
}

/** Runs S1 once against Parley (native) and profiles its CPU over the measured phase only. */
export async function profileS1(ctx: BenchContext): Promise<ProfileSummary & { windowMs: number }> {
  const { members, publishers, rate, warmupMs, measureMs } = ctx.cfg.s1;
  const server = await startSystem(ctx, 'P-native', 'profile-s1');
  let profile: unknown;
  try {
    const plan = bigRoomClients(ctx, 'P-native', members, publishers, rate);
    const open = await ctx.pool.open('pnative', server.urls, plan.byWorker, 50);
    const roomOf = new Map(plan.keys.map((k) => [k, plan.room]));
    const recipients = new Map([[plan.room, open.opened]]);
    await measureFanout(ctx.pool, server, {
      publishers: plan.publishers,
      roomOf,
      recipients,
      warmupMs,
      measureMs: 1000,
    });
    await server.startProfile();
    await measureFanout(ctx.pool, server, {
      publishers: plan.publishers,
      roomOf,
      recipients,
      warmupMs: 100,
      measureMs: measureMs * 2,
    });
    profile = await server.stopProfile();
  } finally {
    await ctx.pool.close();
    await server.stop();
  }
  if (!profile) throw new Error('Parley returned no CPU profile');
  return { ...summarizeProfile(profile as CpuProfile, ctx.paths.root), windowMs: measureMs * 2 };
}

/** Runs S5's closed-loop ingest against Parley and profiles its CPU over the measured phase only. */
export async function profileS5(ctx: BenchContext): Promise<ProfileSummary & { windowMs: number }> {
  const { senders, window, warmupMs, measureMs } = ctx.cfg.s5;
  const seed = ctx.seed;
  if (!seed) throw new Error('Parley needs the seed');
  const server = await startSystem(ctx, 'P-native', 'profile-s5', { env: INGEST_ENV });
  let profile: unknown;
  try {
    const clients = ingestClients(seed, senders);
    const byWorker = spread(clients, ctx.cfg.workers);
    await ctx.pool.open('pnative', server.urls, byWorker, 50);
    const keys = byWorker.map((w) => w.map((c) => c.key));
    await ctx.pool.ingest(keys, warmupMs, window);
    await server.startProfile();
    await ctx.pool.ingest(keys, measureMs, window);
    profile = await server.stopProfile();
  } finally {
    await ctx.pool.close();
    await server.stop();
  }
  if (!profile) throw new Error('Parley returned no CPU profile');
  return { ...summarizeProfile(profile as CpuProfile, ctx.paths.root), windowMs: measureMs };
}
