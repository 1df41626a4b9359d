import type { Command } from 'commander';
import { withAppOptions, withExample, type AppCommandOptions } from '../command-options.js';
import { appClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { printResult } from '../output.js';
import { parseKeyValues } from '../parse-args.js';
import { userSchema } from '../wire.js';

export const registerUserCreate = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('user:create')
    .description('Create a user')
    .argument('[params...]', 'name=… (required) display_name=… image_url=…');
  withExample(withAppOptions(command), 'parley user:create name="John"').action(
    async (params: string[], options: AppCommandOptions) => {
      const body = parseKeyValues(params, {
        verb: 'user:create',
        keys: ['name', 'display_name', 'image_url'],
        required: ['name'],
      });
      const client = await appClient(ctx, options);
      const user = await client.post('/v1/users', body, userSchema);
      printResult(ctx, options, user, `User created: ${user.id}`);
    },
  );
};
