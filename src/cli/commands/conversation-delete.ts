import type { Command } from 'commander';
import { segment, withAppOptions, type AppCommandOptions } from '../command-options.js';
import { appClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { printResult } from '../output.js';

export const registerConversationDelete = (program: Command, ctx: CliContext): void => {
  withAppOptions(
    program
      .command('conversation:delete')
      .description('Delete a conversation')
      .argument('<id>', 'conversation id (CON-…)'),
  ).action(async (id: string, options: AppCommandOptions) => {
    const client = await appClient(ctx, options);
    await client.delete(`/v1/conversations/${segment(id)}`);
    printResult(ctx, options, { id, deleted: true }, `Conversation deleted: ${id}`);
  });
};
