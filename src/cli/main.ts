import { Command, CommanderError } from 'commander';
import { registerAppCreate } from './commands/app-create.js';
import { registerAppDelete } from './commands/app-delete.js';
import { registerAppList } from './commands/app-list.js';
import { registerAppShow } from './commands/app-show.js';
import { registerAppUpdate } from './commands/app-update.js';
import { registerConversationCreate } from './commands/conversation-create.js';
import { registerConversationDelete } from './commands/conversation-delete.js';
import { registerConversationList } from './commands/conversation-list.js';
import { registerConversationShow } from './commands/conversation-show.js';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';
import { registerJwtGenerate } from './commands/jwt-generate.js';
import { registerMemberAdd } from './commands/member-add.js';
import { registerMemberList } from './commands/member-list.js';
import { registerMemberRemove } from './commands/member-remove.js';
import { registerServe } from './commands/serve.js';
import { registerSetup } from './commands/setup.js';
import { registerUserCreate } from './commands/user-create.js';
import { registerUserDelete } from './commands/user-delete.js';
import { registerUserList } from './commands/user-list.js';
import { registerUserShow } from './commands/user-show.js';
import { registerWebhookList } from './commands/webhook-list.js';
import { registerWebhookReplay } from './commands/webhook-replay.js';
import { createContext, processIO, type CliContext, type CliIO } from './context.js';
import { CLI_ERRORS, CliError, EXIT_OK, type CliErrorCode } from './errors.js';
import { packageVersion } from './version.js';

export type { CliContext, CliIO } from './context.js';
export { EXIT_INTERNAL, EXIT_OK, EXIT_REFUSED, EXIT_UNREACHABLE, EXIT_USAGE } from './errors.js';

const REGISTRATIONS = [
  registerSetup,
  registerAppCreate,
  registerAppList,
  registerAppShow,
  registerAppUpdate,
  registerAppDelete,
  registerConversationCreate,
  registerConversationList,
  registerConversationShow,
  registerConversationDelete,
  registerUserCreate,
  registerUserList,
  registerUserShow,
  registerUserDelete,
  registerMemberAdd,
  registerMemberList,
  registerMemberRemove,
  registerWebhookList,
  registerWebhookReplay,
  registerJwtGenerate,
  registerImport,
  registerExport,
  registerServe,
];

const writeLines = (write: (line: string) => void, text: string): void => {
  for (const line of text.replace(/\n$/, '').split('\n')) write(line);
};

const buildProgram = (ctx: CliContext): Command => {
  const program = new Command('parley')
    .description('Parley: a self-hosted, Stitch-compatible conversation server and its command line')
    .version(packageVersion(), '-V, --version', 'Print the version')
    .helpOption('-h, --help', 'Show help')
    .exitOverride()
    // Commander's own error text is dropped: main prints each failure as one `Error:` line.
    .configureOutput({
      writeOut: (text) => writeLines((line) => ctx.out(line), text),
      writeErr: () => undefined,
      outputError: () => undefined,
    });
  for (const register of REGISTRATIONS) register(program, ctx);
  return program;
};

/** The one line and exit code for a failure; undefined line for help and version, which succeed. */
const describeFailure = (e: unknown): { line: string | undefined; exitCode: number } => {
  const failure = (code: CliErrorCode, message: string, shown: string = code) => ({
    line: `${message} (${shown})`,
    exitCode: CLI_ERRORS[code].exitCode,
  });
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) return { line: undefined, exitCode: EXIT_OK };
    if (e.code === 'commander.help')
      return failure('cli:error:usage', 'no command given; see `parley --help`');
    return failure('cli:error:usage', e.message.replace(/^error: /, ''));
  }
  if (e instanceof CliError) return failure(e.code, e.message, e.shownCode);
  // Not a failure the CLI foresaw, so a bug: its own exit code, so scripts do not mistake it for bad input.
  return failure('cli:error:internal', `unexpected failure: ${e instanceof Error ? e.message : String(e)}`);
};

/** Runs the `parley` command line on `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const ctx = createContext(io);
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    const { line, exitCode } = describeFailure(e);
    if (line !== undefined) ctx.err(`Error: ${line.replace(/\s*\n\s*/g, ' ')}`);
    return exitCode;
  }
}
