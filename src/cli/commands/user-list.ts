import type { Command } from 'commander';
import { withAppOptions, type AppCommandOptions } from '../command-options.js';
import { appClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { printRows } from '../output.js';
import { collectCursorPages } from '../pages.js';
import { userPageSchema } from '../wire.js';

export const registerUserList = (program: Command, ctx: CliContext): void => {
  withAppOptions(program.command('user:list').description('List the users of the application')).action(
    async (options: AppCommandOptions) => {
      const client = await appClient(ctx, options);
      const users = await collectCursorPages(client, '/v1/users?page_size=100', userPageSchema, (page) => ({
        items: page._embedded.users,
        next: page._links?.next?.href,
      }));
      printRows(ctx, options, users, (u) => [u.id, u.name, u.display_name]);
    },
  );
};
