import type { Command } from 'commander';
import { segment, withAppOptions, withExample, type AppCommandOptions } from '../command-options.js';
import { appClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { printResult } from '../output.js';
import { parseKeyValues, type JsonValue } from '../parse-args.js';
import { memberSchema } from '../wire.js';

const STATE_FOR_ACTION: Readonly<Record<string, string>> = { join: 'JOINED', invite: 'INVITED' };

const channelOf = (value: JsonValue | undefined): JsonValue => {
  if (value === undefined) return { type: 'app' };
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    typeof value['type'] !== 'string'
  ) {
    throw new UsageError(
      'cli:error:invalid-argument',
      `channel must be a JSON object with a "type", such as '{"type":"app"}'`,
    );
  }
  return value;
};

export const registerMemberAdd = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('member:add')
    .description('Add a user to a conversation')
    .argument('<conversation_id>', 'conversation id (CON-…)')
    .argument('[params...]', 'user_id=USR-… (required) action=join|invite (default join) channel=JSON');
  withExample(
    withAppOptions(command),
    `parley member:add CON-… action=join channel='{"type":"app"}' user_id=USR-…`,
  ).action(async (conversationId: string, params: string[], options: AppCommandOptions) => {
    const values = parseKeyValues(params, {
      verb: 'member:add',
      keys: ['action', 'channel', 'user_id'],
      json: ['channel'],
      required: ['user_id'],
    });
    const action = (values.action as string | undefined) ?? 'join';
    const state = STATE_FOR_ACTION[action];
    if (state === undefined)
      throw new UsageError('cli:error:invalid-argument', `action must be join or invite, got "${action}"`);
    const body = { user: { id: values.user_id }, state, channel: channelOf(values.channel) };
    const client = await appClient(ctx, options);
    const member = await client.post(
      `/v1/conversations/${segment(conversationId)}/members`,
      body,
      memberSchema,
    );
    printResult(ctx, options, member, `Member added: ${member.id}`);
  });
};
