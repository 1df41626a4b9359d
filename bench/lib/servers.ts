import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ClientKind } from '../load/messages.js';
import { BENCH_API_KEY, BENCH_API_SECRET } from './parley-admin.js';
import { SERVER_CPU, freePort, launchPinned, type Launched } from './launch.js';
import { cpuMicrosOf, rssBytesOf } from './proc-stats.js';
import { sleep } from './stats.js';

/** The real chat servers Parley is compared with, over XMPP on WebSocket (bench/lib/peers/). */
export type PeerId = 'ejabberd' | 'Prosody';
export const PEERS: readonly PeerId[] = ['ejabberd', 'Prosody'];

export type SystemId = 'B-ws' | 'B-sio' | 'P-native' | 'P-rtc' | PeerId;

export const SYSTEM_KIND: Record<SystemId, ClientKind> = {
  'B-ws': 'bws',
  'B-sio': 'bsio',
  'P-native': 'pnative',
  'P-rtc': 'prtc',
  ejabberd: 'xmpp',
  Prosody: 'xmpp',
};

export const isParley = (s: SystemId): boolean => s === 'P-native' || s === 'P-rtc';
export const isPeer = (s: string): s is PeerId => (PEERS as readonly string[]).includes(s);

export interface MemoryProbe {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** One or more server processes of one system, pinned to the server CPU. */
export class RunningServer {
  /** How each process ended at `stop()`: an exit code, or the signal that ended it (`SIGKILL` when it overran the grace). */
  exits: (number | string)[] = [];

  constructor(
    readonly urls: string[],
    private readonly procs: Launched[],
    private readonly probeFiles: string[],
    private readonly cleanup: () => void,
    /** How long `stop()` waits after SIGTERM before SIGKILL. */
    private readonly stopGraceMs = 8000,
  ) {}

  get pids(): number[] {
    return this.procs.map((p) => p.pid);
  }

  cpuMicros(): number {
    return cpuMicrosOf(this.pids);
  }

  rssBytes(): number {
    return rssBytesOf(this.pids);
  }

  output(): string {
    return this.procs.map((p) => p.output()).join('\n');
  }

  /**
   * Makes every process collect garbage and report its memory (see server-probe.ts); sums them. A process
   * without a probe (a peer, not Node) reports its RSS from /proc and no heap figures.
   */
  async probe(): Promise<MemoryProbe> {
    const results = await Promise.all(
      this.procs.map((p, i) =>
        this.probeFiles[i] === undefined
          ? Promise.resolve({
              rss: rssBytesOf([p.pid]),
              heapUsed: Number.NaN,
              heapTotal: Number.NaN,
              external: Number.NaN,
              arrayBuffers: Number.NaN,
            })
          : this.ask<MemoryProbe>(i, 'memory'),
      ),
    );
    return results.reduce(
      (a, m) => ({
        rss: a.rss + m.rss,
        heapUsed: a.heapUsed + m.heapUsed,
        heapTotal: a.heapTotal + m.heapTotal,
        external: a.external + m.external,
        arrayBuffers: a.arrayBuffers + m.arrayBuffers,
      }),
      { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 },
    );
  }

  /** Starts an in-process CPU profile of the first process (the window until `stopProfile`). */
  async startProfile(): Promise<void> {
    await this.ask(0, 'profile-start');
  }

  async stopProfile(): Promise<unknown> {
    return (await this.ask<{ profile: unknown }>(0, 'profile-stop', 30_000)).profile;
  }

  private async ask<T>(i: number, cmd: string, timeoutMs = 10_000): Promise<T> {
    const proc = this.procs[i];
    const file = this.probeFiles[i] ?? '';
    if (!proc) throw new Error('no such server process');
    const since = Date.now();
    writeFileSync(`${file}.cmd`, cmd);
    proc.child.kill('SIGUSR2');
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
      await sleep(25);
      if (!existsSync(file)) continue;
      try {
        const m = JSON.parse(readFileSync(file, 'utf8')) as T & { at: number };
        if (m.at >= since) return m;
      } catch {
        // Still being written.
      }
    }
    throw new Error(`server did not answer the probe (${cmd})`);
  }

  /**
   * SIGTERM (Parley drains and closes its store; a CPU profile, if asked for, is written then; the Erlang
   * VM and Prosody shut down cleanly on it too).
   */
  async stop(): Promise<void> {
    this.exits = await Promise.all(this.procs.map((p) => p.stop('SIGTERM', this.stopGraceMs)));
    this.cleanup();
  }
}

export interface ServerOptions {
  distDir: string;
  tmpDir: string;
}

function probeArgs(distDir: string): string[] {
  return ['--expose-gc', '--import', pathToFileURL(join(distDir, 'lib', 'server-probe.js')).href];
}

export async function startBaseline(
  system: 'B-ws' | 'B-sio',
  options: ServerOptions,
): Promise<RunningServer> {
  const port = await freePort();
  const probeFile = join(options.tmpDir, `probe-${system}-${port}.json`);
  const script = join(
    options.distDir,
    'baselines',
    system === 'B-ws' ? 'ws-broadcast-server.js' : 'sio-broadcast-server.js',
  );
  const proc = launchPinned(SERVER_CPU, [...probeArgs(options.distDir), script, '--port', String(port)], {
    env: { BENCH_PROBE_FILE: probeFile },
  });
  await proc.waitFor(`listening ${port}`);
  return new RunningServer([`http://127.0.0.1:${port}`], [proc], [probeFile], () => {
    rmSync(probeFile, { force: true });
    rmSync(`${probeFile}.cmd`, { force: true });
  });
}

export interface ParleyOptions extends ServerOptions {
  root: string;
  /** One data directory per node (SQLite), or none with `env.PARLEY_DATABASE_URL`. */
  dataDirs: string[];
  env?: Record<string, string>;
  /** Pin to the server CPU (measured runs) or let it float (setup). */
  pinned?: boolean;
}

/** Starts `bin/parley serve` once per data directory, as a real process, and waits until each listens. */
export async function startParley(options: ParleyOptions): Promise<RunningServer> {
  const procs: Launched[] = [];
  const probeFiles: string[] = [];
  const urls: string[] = [];
  try {
    for (const dataDir of options.dataDirs) {
      const port = await freePort();
      const probeFile = join(options.tmpDir, `probe-parley-${port}.json`);
      const args = [
        ...probeArgs(options.distDir),
        join(options.root, 'bin', 'parley'),
        'serve',
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        '--data',
        dataDir,
      ];
      const env = {
        PARLEY_API_KEY: BENCH_API_KEY,
        PARLEY_API_SECRET: BENCH_API_SECRET,
        PARLEY_LOG_LEVEL: 'warn',
        BENCH_PROBE_FILE: probeFile,
        ...options.env,
      };
      const proc =
        options.pinned === false ? launchPinned(-1, args, { env }) : launchPinned(SERVER_CPU, args, { env });
      procs.push(proc);
      probeFiles.push(probeFile);
      await proc.waitFor('Parley listening on', 60_000);
      urls.push(`http://127.0.0.1:${port}`);
    }
  } catch (e) {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    throw e;
  }
  return new RunningServer(urls, procs, probeFiles, () => {
    for (const f of probeFiles) for (const g of [f, `${f}.cmd`]) rmSync(g, { force: true });
  });
}
