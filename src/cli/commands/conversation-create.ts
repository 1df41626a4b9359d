import type { Command } from 'commander';
import { withAppOptions, withExample, type AppCommandOptions } from '../command-options.js';
import { appClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { printResult } from '../output.js';
import { parseKeyValues } from '../parse-args.js';
import { conversationSchema } from '../wire.js';

export const registerConversationCreate = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('conversation:create')
    .description('Create a conversation')
    .argument('[params...]', 'display_name=… name=… image_url=…');
  withExample(withAppOptions(command), 'parley conversation:create display_name="Old School Chat"').action(
    async (params: string[], options: AppCommandOptions) => {
      const body = parseKeyValues(params, {
        verb: 'conversation:create',
        keys: ['display_name', 'name', 'image_url'],
      });
      const client = await appClient(ctx, options);
      const conversation = await client.post('/v1/conversations', body, conversationSchema);
      printResult(ctx, options, conversation, `Conversation created: ${conversation.id}`);
    },
  );
};
