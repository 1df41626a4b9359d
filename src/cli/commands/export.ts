import type { Command } from 'commander';
import { segment, withExample } from '../command-options.js';
import { requireConfig, type ParleyConfig } from '../config.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { downloadNdjson } from '../ndjson-transfer.js';
import { basicAuth } from '../rest-client.js';

/** `--app-id`, shared by `import` and `export`: both use the API key and secret, so no key file is needed. */
export interface DumpOptions {
  appId?: string;
}

/** The application a dump command works on: `--app-id`, else the one `app:create` remembered. */
export const appIdFor = (config: ParleyConfig, options: DumpOptions): string => {
  const id = options.appId ?? config.app?.id;
  if (id === undefined) {
    throw new UsageError(
      'cli:error:no-application',
      'no application is remembered; run `parley app:create …` or pass --app-id',
    );
  }
  return id;
};

interface ExportOptions extends DumpOptions {
  conversation?: string[];
}

export const registerExport = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('export')
    .description(
      "Write the application's users, conversations, members and events to standard output as NDJSON (the format `parley import` reads)",
    )
    .option('--conversation <id...>', 'only these conversations, with the users of their members')
    .option('--app-id <id>', 'export this application instead of the remembered one');
  withExample(command, 'parley export > backup.ndjson').action(async (options: ExportOptions) => {
    const config = await requireConfig(ctx.rcPath);
    const appId = appIdFor(config, options);
    const query = new URLSearchParams();
    for (const id of options.conversation ?? []) query.append('conversation', id);
    let lines = 0;
    await downloadNdjson(
      { baseUrl: config.url, authorize: basicAuth(config.apiKey, config.apiSecret) },
      `/v2/applications/${segment(appId)}/export${query.size > 0 ? `?${query.toString()}` : ''}`,
      (line) => {
        lines++;
        ctx.out(line);
      },
    );
    ctx.err(`export: ${lines} objects`);
  });
};
