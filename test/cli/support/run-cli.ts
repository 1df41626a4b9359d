import { main } from '../../../src/cli/main.js';

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
  /** Standard output joined back into text. */
  stdout: string;
}

export interface CliEnvironment {
  /** The rc file the run reads and writes (PARLEY_RC). */
  rc: string;
  cwd: string;
  env?: Record<string, string | undefined>;
}

/** Runs `parley <argv>` in-process, capturing its output lines. */
export const runCli = async (argv: string[], where: CliEnvironment): Promise<CliRun> => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { HOME: where.cwd, PARLEY_RC: where.rc, ...where.env },
    cwd: where.cwd,
  });
  return { code, out, err, stdout: out.join('\n') };
};
