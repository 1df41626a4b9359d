import type { Command } from 'commander';
import { segment, withJson, type JsonOption } from '../command-options.js';
import { requireConfig, writeConfig } from '../config.js';
import { adminClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { printResult } from '../output.js';

export const registerAppDelete = (program: Command, ctx: CliContext): void => {
  withJson(
    program
      .command('app:delete')
      .description('Delete an application (forgetting it if it is the remembered one)')
      .argument('<id>', 'application id'),
  ).action(async (id: string, options: JsonOption) => {
    const config = await requireConfig(ctx.rcPath);
    await adminClient(config).delete(`/v2/applications/${segment(id)}`);
    if (config.app?.id === id) {
      await writeConfig(ctx.rcPath, { ...config, app: undefined });
    }
    printResult(ctx, options, { id, deleted: true }, `Application deleted: ${id}`);
  });
};
