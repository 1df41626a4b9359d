import type { Command } from 'commander';
import { segment, withAppOptions, type AppCommandOptions } from '../command-options.js';
import { appClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { printResult } from '../output.js';
import { memberSchema } from '../wire.js';

export const registerMemberRemove = (program: Command, ctx: CliContext): void => {
  withAppOptions(
    program
      .command('member:remove')
      .description('Make a member leave a conversation')
      .argument('<conversation_id>', 'conversation id (CON-…)')
      .argument('<member_id>', 'member id (MEM-…)'),
  ).action(async (conversationId: string, memberId: string, options: AppCommandOptions) => {
    const client = await appClient(ctx, options);
    const member = await client.patch(
      `/v1/conversations/${segment(conversationId)}/members/${segment(memberId)}`,
      { state: 'left' },
      memberSchema,
    );
    printResult(ctx, options, member, `Member removed: ${member.id}`);
  });
};
