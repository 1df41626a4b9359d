import type { Command } from 'commander';
import { segment, withAppOptions, type AppCommandOptions } from '../command-options.js';
import { appClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { printFields } from '../output.js';
import { conversationSchema } from '../wire.js';

export const registerConversationShow = (program: Command, ctx: CliContext): void => {
  withAppOptions(
    program
      .command('conversation:show')
      .description('Show a conversation')
      .argument('<id>', 'conversation id (CON-…)'),
  ).action(async (id: string, options: AppCommandOptions) => {
    const client = await appClient(ctx, options);
    printFields(ctx, options, await client.get(`/v1/conversations/${segment(id)}`, conversationSchema));
  });
};
