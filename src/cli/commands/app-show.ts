import type { Command } from 'commander';
import { segment, withJson, type JsonOption } from '../command-options.js';
import { requireConfig } from '../config.js';
import { adminClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { printFields } from '../output.js';
import { applicationSchema } from '../wire.js';

export const registerAppShow = (program: Command, ctx: CliContext): void => {
  withJson(
    program.command('app:show').description('Show an application').argument('<id>', 'application id'),
  ).action(async (id: string, options: JsonOption) => {
    const client = adminClient(await requireConfig(ctx.rcPath));
    printFields(ctx, options, await client.get(`/v2/applications/${segment(id)}`, applicationSchema));
  });
};
