import type { Command } from 'commander';
import { withExample, withJson, type JsonOption } from '../command-options.js';
import { DEFAULT_URL, parseServerUrl, readConfig, writeConfig, type ParleyConfig } from '../config.js';
import type { CliContext } from '../context.js';
import { printResult } from '../output.js';

interface SetupOptions extends JsonOption {
  url?: string;
}

/** Tolerates a broken rc file: setup is how the user repairs it. */
const readPrevious = async (path: string): Promise<ParleyConfig | undefined> => {
  try {
    return await readConfig(path);
  } catch {
    return undefined;
  }
};

export const registerSetup = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('setup')
    .description('Save the API key and secret (and server URL) the other commands use')
    .argument('<api_key>', 'account API key')
    .argument('<api_secret>', 'account API secret')
    .option('--url <url>', `Parley server URL (default: the saved one, else ${DEFAULT_URL})`);
  withExample(withJson(command), 'parley setup API_KEY API_SECRET --url http://localhost:3000').action(
    async (apiKey: string, apiSecret: string, options: SetupOptions) => {
      const previous = await readPrevious(ctx.rcPath);
      const url = parseServerUrl(options.url ?? previous?.url ?? DEFAULT_URL);
      // The remembered app only makes sense on the same server and account.
      const keepApp = previous?.app && previous.url === url && previous.apiKey === apiKey;
      const config: ParleyConfig = { url, apiKey, apiSecret, ...(keepApp ? { app: previous.app } : {}) };
      await writeConfig(ctx.rcPath, config);
      printResult(ctx, options, { path: ctx.rcPath, url }, `Credentials written to ${ctx.rcPath}`);
    },
  );
};
