import type { Command } from 'commander';
import { Option } from 'commander';
import { z } from 'zod';
import { segment, withJson, type JsonOption } from '../command-options.js';
import { requireConfig, type ParleyConfig } from '../config.js';
import { adminClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { printRows } from '../output.js';

interface WebhookListOptions extends JsonOption {
  status?: string;
  limit: string;
}

const deliverySchema = z.looseObject({
  id: z.string(),
  conversation_id: z.string(),
  event_id: z.number(),
  event_type: z.string(),
  status: z.string(),
  attempts: z.number(),
  last_status: z.number().nullable(),
  last_error: z.string().nullable(),
  next_attempt: z.string().nullable(),
  updated: z.string(),
});
const deliveryPageSchema = z.looseObject({
  _embedded: z.looseObject({ deliveries: z.array(deliverySchema) }),
});

/** The application a webhook command is about: the one named, else the one `app:create` remembered. */
export const webhookApp = (config: ParleyConfig, id: string | undefined): string => {
  const chosen = id ?? config.app?.id;
  if (chosen === undefined)
    throw new UsageError(
      'cli:error:no-application',
      'no application: give its id or run `parley app:create` first',
    );
  return chosen;
};

export const registerWebhookList = (program: Command, ctx: CliContext): void => {
  withJson(
    program
      .command('webhook:list')
      .description("Show an application's recent webhook deliveries, newest first")
      .argument('[app_id]', 'application id (default: the remembered application)')
      .addOption(
        new Option('--status <status>', 'only deliveries in this state').choices([
          'pending',
          'delivered',
          'failed',
          'queued',
        ]),
      )
      .option('--limit <n>', 'how many (1-100)', '20'),
  ).action(async (appId: string | undefined, options: WebhookListOptions) => {
    const config = await requireConfig(ctx.rcPath);
    const limit = Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new UsageError('cli:error:invalid-argument', '--limit must be a whole number from 1 to 100');
    }
    const query = new URLSearchParams({ page_size: String(limit) });
    if (options.status !== undefined) query.set('status', options.status);
    const page = await adminClient(config).get(
      `/v2/applications/${segment(webhookApp(config, appId))}/webhook-deliveries?${query.toString()}`,
      deliveryPageSchema,
    );
    printRows(ctx, options, page._embedded.deliveries, (d) => [
      d.id,
      d.conversation_id,
      String(d.event_id),
      d.event_type,
      d.status,
      `attempts=${d.attempts}`,
      d.last_error ?? (d.last_status === null ? '' : String(d.last_status)),
      d.next_attempt ?? '',
    ]);
  });
};
