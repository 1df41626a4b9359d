import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** What the CLI needs from the outside world; tests pass their own to run `main` in-process. */
export interface CliIO {
  /** Writes one line (without its newline) to standard output. */
  out(line: string): void;
  /** Writes one line (without its newline) to standard error. */
  err(line: string): void;
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  /** Aborts long-running commands such as `serve`. */
  signal?: AbortSignal;
}

/** Handed to every command when it is registered. */
export interface CliContext {
  out(line: string): void;
  err(line: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly signal: AbortSignal | undefined;
  /** Where the config lives: `$PARLEY_RC`, else `~/.parleyrc`. */
  readonly rcPath: string;
  /** Resolves a path the user typed against the working directory. */
  resolvePath(path: string): string;
}

export const processIO = (): CliIO => ({
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  cwd: process.cwd(),
});

export const createContext = (io: CliIO): CliContext => {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const resolvePath = (path: string): string => (isAbsolute(path) ? path : resolve(cwd, path));
  const rc = env['PARLEY_RC'];
  return {
    out: (line) => io.out(line),
    err: (line) => io.err(line),
    env,
    cwd,
    signal: io.signal,
    rcPath: rc ? resolvePath(rc) : join(env['HOME'] ?? homedir(), '.parleyrc'),
    resolvePath,
  };
};
