import type { Command } from 'commander';
import { segment, withAppOptions, type AppCommandOptions } from '../command-options.js';
import { appClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { printRows } from '../output.js';
import { collectCursorPages } from '../pages.js';
import { memberPageSchema } from '../wire.js';

export const registerMemberList = (program: Command, ctx: CliContext): void => {
  withAppOptions(
    program
      .command('member:list')
      .description('List the members of a conversation')
      .argument('<conversation_id>', 'conversation id (CON-…)'),
  ).action(async (conversationId: string, options: AppCommandOptions) => {
    const client = await appClient(ctx, options);
    const members = await collectCursorPages(
      client,
      `/v1/conversations/${segment(conversationId)}/members?page_size=100`,
      memberPageSchema,
      (page) => ({ items: page._embedded.members, next: page._links?.next?.href }),
    );
    printRows(ctx, options, members, (m) => [m.id, m.state, m._embedded?.user?.id, m._embedded?.user?.name]);
  });
};
