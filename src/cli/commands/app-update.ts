import type { Command } from 'commander';
import { segment, withExample, withJson, type JsonOption } from '../command-options.js';
import { requireConfig } from '../config.js';
import { adminClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { printResult } from '../output.js';
import { applicationSchema } from '../wire.js';

interface AppUpdateOptions extends JsonOption {
  name?: string;
  eventUrl?: string;
  answerUrl?: string;
}

/** `none` removes a URL: the application then receives no webhooks. */
const NONE = 'none';

export const registerAppUpdate = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('app:update')
    .description("Change an application's name or webhook URLs")
    .argument('<id>', 'application id')
    .option('--name <name>', 'new name')
    .option('--event-url <url>', `event webhook URL (POST), or "${NONE}" to stop webhooks`)
    .option('--answer-url <url>', `voice answer webhook URL, or "${NONE}"`);
  withExample(
    withJson(command),
    'parley app:update 5f7c0b9e-0000-4000-8000-000000000000 --event-url https://example.com/webhooks/event',
  ).action(async (id: string, options: AppUpdateOptions) => {
    const { name, eventUrl, answerUrl } = options;
    if (name === undefined && eventUrl === undefined && answerUrl === undefined) {
      throw new UsageError('cli:error:usage', 'nothing to change: give --name, --event-url or --answer-url');
    }
    const capabilities: Record<string, unknown> = {};
    if (eventUrl !== undefined) {
      capabilities.rtc = {
        webhooks: eventUrl === NONE ? {} : { event_url: { address: eventUrl, http_method: 'POST' } },
      };
    }
    if (answerUrl !== undefined) {
      capabilities.voice = {
        webhooks: answerUrl === NONE ? {} : { answer_url: { address: answerUrl, http_method: 'GET' } },
      };
    }
    const body: Record<string, unknown> = { capabilities };
    if (name !== undefined) body.name = name;
    const client = adminClient(await requireConfig(ctx.rcPath));
    const app = await client.put(`/v2/applications/${segment(id)}`, body, applicationSchema);
    printResult(ctx, options, app, `Application updated: ${app.id}`);
  });
};
