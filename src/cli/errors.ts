/** Exit codes of the `parley` command; only `main` turns errors into these. */
export const EXIT_OK = 0;
/** Bad input: usage, arguments, config, key files. */
export const EXIT_USAGE = 1;
/** The server answered and said no (any non-2xx, or a reply the CLI cannot read). */
export const EXIT_REFUSED = 2;
/** The server never answered. */
export const EXIT_UNREACHABLE = 3;
/** A bug in the CLI: an exception nobody expected. Report it; retrying the same command will not help. */
export const EXIT_INTERNAL = 4;

export type ExitCode =
  typeof EXIT_OK | typeof EXIT_USAGE | typeof EXIT_REFUSED | typeof EXIT_UNREACHABLE | typeof EXIT_INTERNAL;

export interface CliErrorSpec {
  readonly exitCode: ExitCode;
  /** What went wrong, for docs/errors.md. */
  readonly meaning: string;
}

const spec = <E extends ExitCode>(exitCode: E, meaning: string) => ({ exitCode, meaning }) as const;

/**
 * The CLI's own failures. Codes follow the server's `<domain>:error:<reason>` form, are printed at the end of
 * the one `Error:` line, and never change once published; a refusal shows the server's catalogue code instead.
 */
export const CLI_ERRORS = {
  'cli:error:usage': spec(
    EXIT_USAGE,
    'The command line does not parse: no or unknown command, unknown option, missing argument',
  ),
  'cli:error:invalid-argument': spec(
    EXIT_USAGE,
    'A `key=value` argument or option value is malformed, unknown, repeated or missing',
  ),
  'cli:error:no-config': spec(
    EXIT_USAGE,
    'There is no config file yet; run `parley setup API_KEY API_SECRET`',
  ),
  'cli:error:invalid-config': spec(
    EXIT_USAGE,
    'The config file cannot be read, is not JSON or is not a Parley config',
  ),
  'cli:error:no-application': spec(
    EXIT_USAGE,
    'No application to sign with: none is remembered, or --app-id and --keyfile do not go together',
  ),
  'cli:error:key-file': spec(
    EXIT_USAGE,
    'The key file cannot be read or does not hold an RSA private key in PEM',
  ),
  'cli:error:write-failed': spec(EXIT_USAGE, 'A local file (the config or a key file) cannot be written'),
  'cli:error:server-config': spec(
    EXIT_USAGE,
    '`parley serve` was given an invalid setting (flag or environment)',
  ),
  'cli:error:server-start': spec(
    EXIT_USAGE,
    '`parley serve` could not start (port in use, database unreachable…)',
  ),
  'cli:error:server-refused': spec(
    EXIT_REFUSED,
    'The server answered with an error but no catalogue code (a proxy page, say); with a code, that code is shown',
  ),
  'cli:error:unexpected-reply': spec(
    EXIT_REFUSED,
    'The server answered 2xx with a body the CLI cannot read, or a next link that loops',
  ),
  'cli:error:unreachable': spec(
    EXIT_UNREACHABLE,
    'The server never answered: refused, unresolvable, reset or timed out',
  ),
  'cli:error:import-partial': spec(
    EXIT_REFUSED,
    '`parley import` finished, but some lines were not imported as given (conflicts, refusals, malformed lines)',
  ),
  'cli:error:internal': spec(EXIT_INTERNAL, 'An unexpected exception in the CLI itself (a bug)'),
} as const satisfies Record<string, CliErrorSpec>;

export type CliErrorCode = keyof typeof CLI_ERRORS;

/** A failure the CLI reports as one `Error: <message> (<code>)` line and its code's exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(
    readonly code: CliErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
    this.exitCode = CLI_ERRORS[code].exitCode;
  }

  /** The code printed on the error line: the CLI's own, unless a subclass has a better one. */
  get shownCode(): string {
    return this.code;
  }
}

type UsageErrorCode = {
  [C in CliErrorCode]: (typeof CLI_ERRORS)[C]['exitCode'] extends typeof EXIT_USAGE ? C : never;
}[CliErrorCode];

/** Something wrong with what the user typed or with local files (exit code 1). */
export class UsageError extends CliError {
  constructor(code: UsageErrorCode, message: string) {
    super(code, message);
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
