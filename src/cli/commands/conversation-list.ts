import type { Command } from 'commander';
import { withAppOptions, type AppCommandOptions } from '../command-options.js';
import { appClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { printRows } from '../output.js';
import { collectCursorPages } from '../pages.js';
import { conversationPageSchema } from '../wire.js';

export const registerConversationList = (program: Command, ctx: CliContext): void => {
  withAppOptions(
    program.command('conversation:list').description('List the conversations of the application'),
  ).action(async (options: AppCommandOptions) => {
    const client = await appClient(ctx, options);
    const conversations = await collectCursorPages(
      client,
      '/v1/conversations?page_size=100',
      conversationPageSchema,
      (page) => ({ items: page._embedded.conversations, next: page._links?.next?.href }),
    );
    printRows(ctx, options, conversations, (c) => [c.id, c.name, c.display_name]);
  });
};
