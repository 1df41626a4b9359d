import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { createServer } from 'node:net';
import { sleep } from './stats.js';

/** The CPU the servers run on, and the one the load generators (and this orchestrator) share. */
export const SERVER_CPU = 0;
export const LOAD_CPU = 1;

export interface Launched {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** Resolves once `text` has appeared in stdout/stderr; rejects if the process exits or time runs out. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number | string>;
  /** Sends `signal`, then SIGKILL after `graceMs`; resolves on exit. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
}

/**
 * Every process launched and not yet exited. If the orchestrator exits without stopping them (an uncaught
 * error, an interruption), they are killed rather than left running: a peer does not exit when its parent
 * does.
 */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
// Interrupted (Ctrl-C, or a SIGTERM), exit through the handler above rather than leave servers behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

/**
 * Runs `node <args>` under `taskset -c <cpu>` (or unpinned when `cpu` is negative). taskset execs node in place, so the pid is node's own and
 * /proc/<pid> measures exactly the server or load generator.
 */
export function launchPinned(
  cpu: number,
  nodeArgs: string[],
  options: { env?: Record<string, string>; ipc?: boolean; cwd?: string } = {},
): Launched {
  return launchCommand(cpu, process.execPath, nodeArgs, options);
}

/**
 * Runs any program the same way (the peers: `erl`, `prosody`). The program must exec in place (as `erl`
 * and `prosody` do, down to `beam.smp` and `lua`), so the pid stays the server's own.
 */
export function launchCommand(
  cpu: number,
  program: string,
  programArgs: string[],
  options: { env?: Record<string, string>; ipc?: boolean; cwd?: string } = {},
): Launched {
  const stdio: StdioOptions = options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
  // A negative cpu leaves the process free to run anywhere (setup work that is not measured).
  const [command, args] =
    cpu < 0 ? [program, programArgs] : ['taskset', ['-c', String(cpu), program, ...programArgs]];
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env },
    stdio,
    cwd: options.cwd,
  });
  live.add(child);
  child.on('exit', () => live.delete(child));
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code ?? -1)),
  );
  const launched: Launched = {
    child,
    pid: child.pid ?? -1,
    output: () => out,
    exited,
    async waitFor(text, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      const seen = () => (typeof text === 'string' ? out.includes(text) : text.test(out));
      while (!seen()) {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`process exited before "${String(text)}":\n${out.slice(-4000)}`);
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for "${String(text)}":\n${out.slice(-4000)}`);
        await sleep(20);
      }
    },
    async stop(signal = 'SIGTERM', graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
  return launched;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
