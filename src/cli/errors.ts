/** Exit codes of the `parley` command; only `main` turns errors into these. */
export const EXIT_OK = 0;
/** Bad input: usage, arguments, config, key files. */
export const EXIT_USAGE = 1;
/** The server answered and said no (any non-2xx, or a reply the CLI cannot read). */
export const EXIT_REFUSED = 2;
/** The server never answered. */
export const EXIT_UNREACHABLE = 3;

export type ExitCode = typeof EXIT_OK | typeof EXIT_USAGE | typeof EXIT_REFUSED | typeof EXIT_UNREACHABLE;

/** A failure the CLI reports as one `Error: <message>` line and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Something wrong with what the user typed or with local files. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
    this.name = 'UsageError';
  }
}

/** The node error code (`ENOENT`, `EACCES`…) of a failed system call, or its message. */
export const systemReason = (e: unknown): string => {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return typeof code === 'string' ? code : e.message;
  }
  return String(e);
};
