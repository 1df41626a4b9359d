import type { Command } from 'commander';
import { segment, withAppOptions, type AppCommandOptions } from '../command-options.js';
import { appClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { printFields } from '../output.js';
import { userSchema } from '../wire.js';

export const registerUserShow = (program: Command, ctx: CliContext): void => {
  withAppOptions(
    program.command('user:show').description('Show a user').argument('<id>', 'user id (USR-…)'),
  ).action(async (id: string, options: AppCommandOptions) => {
    const client = await appClient(ctx, options);
    printFields(ctx, options, await client.get(`/v1/users/${segment(id)}`, userSchema));
  });
};
