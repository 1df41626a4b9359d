import type { Command } from 'commander';
import { segment, withAppOptions, type AppCommandOptions } from '../command-options.js';
import { appClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { printResult } from '../output.js';

export const registerUserDelete = (program: Command, ctx: CliContext): void => {
  withAppOptions(
    program.command('user:delete').description('Delete a user').argument('<id>', 'user id (USR-…)'),
  ).action(async (id: string, options: AppCommandOptions) => {
    const client = await appClient(ctx, options);
    await client.delete(`/v1/users/${segment(id)}`);
    printResult(ctx, options, { id, deleted: true }, `User deleted: ${id}`);
  });
};
