import type { Command } from 'commander';
import { z } from 'zod';
import { segment, withExample, withJson, type JsonOption } from '../command-options.js';
import { requireConfig } from '../config.js';
import { adminClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { printResult } from '../output.js';
import { webhookApp } from './webhook-list.js';

interface WebhookReplayOptions extends JsonOption {
  failed?: boolean;
  from?: string;
  to?: string;
}

const replySchema = z.looseObject({ queued: z.number() });

const isoTime = (value: string, flag: string): string => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new UsageError(
      'cli:error:invalid-argument',
      `${flag} must be a date and time, e.g. 2026-01-31T12:00:00Z`,
    );
  return new Date(ms).toISOString();
};

export const registerWebhookReplay = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('webhook:replay')
    .description('Send webhooks again: the failed ones, or every event committed in a time range')
    .argument('[app_id]', 'application id (default: the remembered application)')
    .option('--failed', 'replay the deliveries that were given up')
    .option('--from <time>', 'replay events committed from this time (ISO-8601)')
    .option('--to <time>', 'up to this time (default: now)');
  withExample(
    withJson(command),
    'parley webhook:replay --from 2026-01-31T12:00:00Z --to 2026-01-31T13:00:00Z',
  ).action(async (appId: string | undefined, options: WebhookReplayOptions) => {
    const byTime = options.from !== undefined || options.to !== undefined;
    if (options.failed === byTime)
      throw new UsageError('cli:error:usage', 'give either --failed or --from (with --to)');
    if (byTime && options.from === undefined) throw new UsageError('cli:error:usage', '--to needs --from');
    const body = options.failed
      ? { failed: true }
      : {
          from: isoTime(options.from!, '--from'),
          to: options.to === undefined ? new Date().toISOString() : isoTime(options.to, '--to'),
        };
    const config = await requireConfig(ctx.rcPath);
    const reply = await adminClient(config).post(
      `/v2/applications/${segment(webhookApp(config, appId))}/webhook-deliveries/replay`,
      body,
      replySchema,
    );
    printResult(ctx, options, reply, `Queued ${reply.queued} deliveries`);
  });
};
