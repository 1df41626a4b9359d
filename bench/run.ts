import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchConfig } from './lib/config.js';
import { LOAD_CPU } from './lib/launch.js';
import { LoadPool } from './lib/load-pool.js';
import { prepareSeed, type Seed } from './lib/parley-seed.js';
import { preparePeers, type PreparedPeer } from './lib/peers/peers.js';
import { PEERS, type PeerId } from './lib/servers.js';
import { consoleTable, markdownTable, scenarioHeading, summarize, targetsTable } from './lib/report.js';
import { evaluateTargets } from './lib/targets.js';
import type { BenchContext, RepOutcome, ScenarioId } from './scenarios/context.js';
import type { Runner } from './scenarios/runner.js';
import { peersBigRoom, s1BigRoom } from './scenarios/s1-big-room.js';
import { peersPopulation, population } from './scenarios/s2-many-small-rooms.js';
import { s5DurableIngest } from './scenarios/s5-durable-ingest.js';
import { s6TwoNodes } from './scenarios/s6-two-nodes.js';
import { profileS1, profileS5 } from './lib/cpu-profile.js';

const ALL: ScenarioId[] = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7'];
/** Runners in order of priority: when the budget runs short, the last ones lose repetitions first. */
const RUNNERS: Runner[] = [s1BigRoom, s5DurableIngest, population, s6TwoNodes, peersBigRoom, peersPopulation];
/** The scenarios the peers take part in. */
const PEER_SCENARIOS: ScenarioId[] = ['S1', 'S2', 'S3', 'S4'];
/** Seconds a full run's budget grows by per peer that runs. */
const PEER_BUDGET_S = 150;

interface Flags {
  quick: boolean;
  only: ScenarioId[];
  reps: number | undefined;
  profile: boolean;
  peers: PeerId[];
  /** Only these systems (all when undefined). */
  systems: string[] | undefined;
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = {
    quick: false,
    only: ALL,
    reps: undefined,
    profile: false,
    peers: [...PEERS],
    systems: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') flags.quick = true;
    else if (a === '--profile') flags.profile = true;
    else if (a === '--systems')
      flags.systems = (argv[++i] ?? '').split(',').map((s) => s.trim().toLowerCase());
    else if (a === '--peers') {
      const v = (argv[++i] ?? '').trim().toLowerCase();
      const ids = v === 'none' ? [] : v.split(',').map((s) => s.trim());
      const bad = ids.filter((s) => !PEERS.some((p) => p.toLowerCase() === s));
      if (bad.length > 0 || v === '')
        throw new Error(
          `unknown peer ${bad.join(', ') || '(none given)'}; choose from ejabberd, prosody or none`,
        );
      flags.peers = PEERS.filter((p) => ids.includes(p.toLowerCase()));
    } else if (a === '--only' || a === '--reps') {
      const v = argv[++i] ?? '';
      if (a === '--reps') flags.reps = Number(v);
      else {
        const ids = v.split(',').map((s) => s.trim().toUpperCase());
        const bad = ids.filter((s) => !ALL.includes(s as ScenarioId));
        if (bad.length > 0)
          throw new Error(`unknown scenario ${bad.join(', ')}; choose from ${ALL.join(', ')}`);
        flags.only = ids as ScenarioId[];
      }
    } else
      throw new Error(
        `unknown flag ${a}; usage: run [--quick] [--only S1,S5] [--reps N] [--peers ejabberd,prosody|none] [--systems B-ws,P-native,ejabberd] | run [--quick] --profile`,
      );
  }
  return flags;
}

function versionOf(root: string, pkg: string): string {
  try {
    return (
      JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
}

function git(root: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root }).toString().trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2));
  const distDir = dirname(fileURLToPath(import.meta.url));
  const root = resolve(distDir, '..', '..');
  const paths = { root, distDir, tmpDir: join(root, 'bench', 'tmp') };
  const resultsDir = join(root, 'bench', 'results');
  mkdirSync(paths.tmpDir, { recursive: true });
  mkdirSync(resultsDir, { recursive: true });
  // The orchestrator shares the load CPU, so the server's CPU is the server's alone.
  execFileSync('taskset', ['-p', '-c', String(LOAD_CPU), String(process.pid)], { stdio: 'ignore' });

  const cfg = benchConfig(flags.quick);
  if (flags.reps) {
    cfg.reps = flags.reps;
    cfg.peerReps = Math.min(cfg.peerReps, flags.reps);
  }
  const selected = new Set(flags.only);
  const systemsFilter = flags.systems;
  if (systemsFilter) flags.peers = flags.peers.filter((p) => systemsFilter.includes(p.toLowerCase()));
  const runners = RUNNERS.filter((r) => r.scenarios.some((s) => selected.has(s)));

  const started = Date.now();
  const log = (m: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${m}`);
  const loadStart = loadavg();

  const machine = {
    node: process.version,
    os: `${type()} ${release()}`,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    fileLimit: Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim()),
    loadAverageAtStart: loadStart,
  };
  const versions: Record<string, string | boolean> = {
    parley: (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
    parleyCommit: git(root, ['rev-parse', '--short', 'HEAD']),
    parleyWorkTreeDirty: git(root, ['status', '--porcelain', '--', 'src']) !== '',
    ws: versionOf(root, 'ws'),
    'socket.io': versionOf(root, 'socket.io'),
    'socket.io-client': versionOf(root, 'socket.io-client'),
    'better-sqlite3': versionOf(root, 'better-sqlite3'),
  };
  const notes: string[] = [];
  if (flags.quick)
    notes.push(
      `--quick: scaled down (S1 ${cfg.s1.members} members, S2–S4 ${cfg.population.rooms} rooms × ${cfg.population.roomSize} = ${cfg.population.rooms * cfg.population.roomSize} connections, S5 ${cfg.s5.senders} senders, S6 ${cfg.s6.members} members, shorter phases); not comparable with a full run.`,
    );
  else
    notes.push(
      `Scaled down to fit 10 minutes on this 2-core machine: S2 uses ${cfg.population.rooms} rooms × ${cfg.population.roomSize} (not 2,000 × 5) and S3/S4 ${cfg.population.rooms * cfg.population.roomSize} connections (not 10,000); 10,000 logins and reconnects per system and repetition alone would take longer than the whole budget here.`,
    );
  log(
    `Parley bench${flags.quick ? ' (quick)' : ''}: ${flags.only.join(', ')}; ${cfg.reps} interleaved repetitions; server on CPU 0, load on CPU 1`,
  );
  log(
    `machine: ${machine.cpuModel}, ${machine.cores} cores, load average ${loadStart.map((l) => l.toFixed(1)).join(' ')}`,
  );

  const seedSpec = {
    bigRoomMembers: cfg.s1.members,
    smallRooms: cfg.population.rooms,
    smallRoomSize: cfg.population.roomSize,
    ingestRooms: cfg.s5.senders,
  };
  // Parley's seed, unless --systems leaves Parley out (e.g. a run of the peers alone).
  const parleyRuns =
    flags.profile || flags.systems === undefined || flags.systems.some((s) => s.startsWith('p-'));
  let seed: Seed | undefined;
  if (parleyRuns) {
    log('seeding Parley through its REST API (or reusing the cached template)…');
    seed = await prepareSeed(seedSpec, paths);
    log(
      `seed ${seed.origin.built ? 'built' : 'reused'}: ${seed.origin.users} users, ${seed.origin.requests} REST requests, ${seed.origin.seconds.toFixed(0)} s to build`,
    );
  }

  // The peers: seeded once (or from their cached templates), skipped with a reason when missing.
  let peers: PreparedPeer[] = [];
  const peerScenarios = PEER_SCENARIOS.filter((s) => selected.has(s));
  if (flags.profile || peerScenarios.length === 0 || flags.peers.length === 0) {
    if (!flags.profile && peerScenarios.length > 0)
      notes.push('peers (ejabberd, Prosody) left out by --peers or --systems');
  } else {
    const prepared = await preparePeers(
      flags.peers,
      {
        bigRoomMembers: cfg.s1.members,
        smallRooms: cfg.population.rooms,
        smallRoomSize: cfg.population.roomSize,
      },
      paths.tmpDir,
      log,
    );
    peers = prepared.ready;
    for (const p of peers) {
      versions[p.driver.id] = p.version;
      log(
        `peer ${p.driver.id} ${p.version}: seed ${p.builtSeed ? `built in ${p.seedSeconds.toFixed(1)} s` : 'reused'}`,
      );
    }
    for (const why of prepared.skipped) {
      notes.push(why);
      log(why);
    }
    // A full run's budget grows with the peers, so they do not crowd Parley's repetitions out of it.
    if (!cfg.quick) cfg.budgetS += PEER_BUDGET_S * peers.length;
  }

  const pool = await LoadPool.start(cfg.workers, distDir);
  const ctx: BenchContext = { cfg, paths, pool, seed, peers, log };
  const deadline = started + cfg.budgetS * 1000;
  if (flags.profile) return profileOnly(ctx, resultsDir, log);
  const outcomes: RepOutcome[] = [];
  const failures: string[] = [];
  try {
    // Repetition-major: every scenario gets its first repetition before any gets a second, so a run that
    // cannot fit all repetitions in the budget still measures everything, and repetitions stay interleaved.
    const active: Runner[] = [];
    const systemsOf = (runner: Runner) =>
      runner
        .systems(ctx)
        .filter((s) => flags.systems === undefined || flags.systems.includes(s.toLowerCase()));
    for (const runner of runners) {
      if (systemsOf(runner).length === 0) continue;
      const skip = await runner.prepare?.(ctx);
      if (skip) {
        notes.push(`${runner.scenarios.filter((s) => selected.has(s)).join('/')} skipped: ${skip}`);
        log(`${runner.name} skipped: ${skip}`);
      } else active.push(runner);
    }
    const repMs = new Map<Runner, number>();
    const done = new Map<Runner, number>();
    for (let rep = 1; rep <= cfg.reps; rep++) {
      for (const runner of active) {
        if (rep > (runner.reps?.(ctx) ?? cfg.reps)) continue;
        if (rep > 1 && Date.now() + (repMs.get(runner) ?? 0) > deadline) continue;
        const repStart = Date.now();
        for (const system of systemsOf(runner)) {
          const t = Date.now();
          try {
            const got = (await runner.run(ctx, system, rep, selected)).filter((o) =>
              selected.has(o.scenario),
            );
            outcomes.push(...got);
            log(
              `${runner.name} rep ${rep} ${system}: ${brief(got)} (${((Date.now() - t) / 1000).toFixed(1)} s)`,
            );
          } catch (e) {
            const msg = `${runner.name} rep ${rep} ${system} failed: ${e instanceof Error ? e.message : String(e)}`;
            failures.push(msg);
            log(msg);
          }
        }
        repMs.set(runner, Date.now() - repStart);
        done.set(runner, rep);
      }
    }
    for (const runner of active) {
      const n = done.get(runner) ?? 0;
      if (n < (runner.reps?.(ctx) ?? cfg.reps)) {
        const msg = `${runner.scenarios.filter((s) => selected.has(s)).join('/')}: ${n} of ${cfg.reps} repetitions (another would have overrun the ${cfg.budgetS} s budget on this machine)`;
        notes.push(msg);
        log(msg);
      }
      await runner.finish?.(ctx);
    }
  } finally {
    await pool.stop();
  }

  const rows = summarize(outcomes);
  const targets = evaluateTargets(rows);
  const durationS = (Date.now() - started) / 1000;
  machine.loadAverageAtStart = loadStart;
  const result = {
    startedAt: new Date(started).toISOString(),
    durationS,
    quick: flags.quick,
    scenarios: flags.only,
    machine: { ...machine, loadAverageAtEnd: loadavg() },
    versions,
    config: cfg,
    seed: seed?.origin,
    peers: peers.map((p) => ({
      system: p.driver.id,
      version: p.version,
      configuration: p.driver.configuration,
      guarantee: p.driver.guarantee,
    })),
    method: {
      serverCpu: 0,
      loadCpu: LOAD_CPU,
      loadProcesses: cfg.workers,
      repetitions: cfg.reps,
      interleaved: true,
      aggregation: 'median over repetitions; loss, reorder and failure counts are summed',
      latency:
        'scheduled send (open loop, performance.now) to receipt, measured on receivers in the publisher’s own process',
      cpu: 'server utime+stime from /proc/<pid>/stat over the measured phase and its drain, divided by deliveries',
    },
    notes,
    failures,
    outcomes,
    summary: rows,
    targets,
  };
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  const md = markdown(result.startedAt, durationS, machine, versions, rows, targets, notes, failures, peers);
  writeFileSync(join(resultsDir, 'latest.md'), md);

  console.log(`\n${consoleTable(rows)}\n`);
  for (const t of targets)
    console.log(
      `${t.pass === null ? '  n/a ' : t.pass ? '  met ' : 'MISSED'}  ${t.description}: ${t.detail}`,
    );
  for (const n of notes) console.log(`note: ${n}`);
  for (const f of failures) console.log(`FAILED: ${f}`);
  log(`done in ${durationS.toFixed(0)} s; wrote bench/results/latest.json and latest.md`);
  return failures.length > 0 ? 1 : 0;
}

/** `--profile`: V8 samples of Parley's server over S1's and S5's measured windows only (see server-probe.ts). */
async function profileOnly(ctx: BenchContext, resultsDir: string, log: (m: string) => void): Promise<number> {
  try {
    log('profiling Parley under S1…');
    const s1 = await profileS1(ctx);
    log('profiling Parley under S5…');
    const s5 = await profileS5(ctx);
    writeFileSync(
      join(resultsDir, 'profile.json'),
      `${JSON.stringify({ at: new Date().toISOString(), S1: s1, S5: s5 }, null, 2)}\n`,
    );
    for (const [name, p] of [
      ['S1', s1],
      ['S5', s5],
    ] as const) {
      console.log(`\n${name}: ${p.totalMs} ms of samples in a ${p.windowMs} ms window; top self time:`);
      for (const f of p.topFunctions.slice(0, 15))
        console.log(`  ${f.selfPct.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
    }
    log('wrote bench/results/profile.json');
    return 0;
  } finally {
    await ctx.pool.stop();
  }
}

function brief(outcomes: RepOutcome[]): string {
  return outcomes
    .map((o) => {
      const m = o.metrics;
      const parts: string[] = [o.scenario];
      if (m.deliveredPerSec !== undefined) parts.push(`${m.deliveredPerSec.toFixed(0)}/s`);
      if (m.serverCpuUsPerMsg !== undefined) parts.push(`${m.serverCpuUsPerMsg.toFixed(2)}µs/msg`);
      if (m.p99Ms !== undefined) parts.push(`p99 ${m.p99Ms.toFixed(1)}ms`);
      if (m.ackedPerSec !== undefined)
        parts.push(`${m.ackedPerSec.toFixed(0)} acked/s p99 ${m.ackP99Ms?.toFixed(1)}ms`);
      if (m.commitsPerSec !== undefined) parts.push(`${m.commitsPerSec.toFixed(0)} commits/s`);
      if (m.connectsPerSec !== undefined) parts.push(`${m.connectsPerSec.toFixed(0)} conn/s`);
      if (m.rssPer1kMB !== undefined) parts.push(`${m.rssPer1kMB.toFixed(2)}MB/1k`);
      if (m.loss !== undefined) parts.push(`loss ${m.loss}`);
      if (m.reorder !== undefined) parts.push(`reorder ${m.reorder}`);
      return parts.join(' ');
    })
    .join('; ');
}

function markdown(
  startedAt: string,
  durationS: number,
  machine: Record<string, unknown>,
  versions: Record<string, unknown>,
  rows: ReturnType<typeof summarize>,
  targets: ReturnType<typeof evaluateTargets>,
  notes: string[],
  failures: string[],
  peers: PreparedPeer[],
): string {
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  const peerLines = peers.flatMap((p) => [
    `- **${p.driver.id} ${p.version}.** ${p.driver.configuration}. Guarantee: ${p.driver.guarantee}.`,
  ]);
  return [
    `# Parley benchmark — ${startedAt}`,
    '',
    `Run took ${durationS.toFixed(0)} s. Machine: ${String(machine.cpuModel)}, ${String(machine.cores)} cores, ${String(machine.memoryGiB)} GiB, ${String(machine.os)}, Node ${String(machine.node)}; load average at start ${(machine.loadAverageAtStart as number[]).map((l) => l.toFixed(1)).join(' ')}.`,
    `Versions: ${Object.entries(versions)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ')}.`,
    '',
    'Server on CPU 0 (taskset), load generators on CPU 1; medians of interleaved repetitions; loss and reorder summed over all repetitions. Full figures in `latest.json`; method in `docs/performance.md`.',
    '',
    ...scenarios.map((s) => `- ${scenarioHeading(s)}`),
    '',
    markdownTable(rows),
    '',
    ...(peerLines.length > 0 ? ['## Peers', '', ...peerLines, ''] : []),
    '## Targets',
    '',
    targetsTable(targets),
    '',
    ...(notes.length > 0 ? ['## Notes', '', ...notes.map((n) => `- ${n}`), ''] : []),
    ...(failures.length > 0 ? ['## Failures', '', ...failures.map((f) => `- ${f}`), ''] : []),
  ].join('\n');
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(2);
  },
);
