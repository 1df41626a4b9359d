import { randomUUID } from 'node:crypto';
import { chmod, rename, rm, writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { withExample, withJson, type JsonOption } from '../command-options.js';
import { requireConfig, writeConfig } from '../config.js';
import { adminClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { generateRsaKeyPair } from '../../core/auth/rsa-key-pair.js';
import { UsageError, systemReason } from '../errors.js';
import { printResult } from '../output.js';
import { applicationSchema, type Application } from '../wire.js';

interface AppCreateOptions extends JsonOption {
  type: string;
  keyfile: string;
}

/** Writes the private key beside its destination first, so an unwritable path fails before the app exists. */
const stageKeyFile = async (path: string, pem: string): Promise<string> => {
  const staged = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(staged, pem, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    throw new UsageError('cli:error:write-failed', `cannot write key file ${path}: ${systemReason(e)}`);
  }
  return staged;
};

export const registerAppCreate = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('app:create')
    .description('Create an application with a new key pair, save its private key and remember it')
    .argument('<name>', 'application name')
    .argument('<answer_url>', 'voice answer webhook URL (stored, unused by chat)')
    .argument('<event_url>', 'event webhook URL')
    .addOption(new Option('--type <type>', 'application type').choices(['rtc']).default('rtc'))
    .option('--keyfile <path>', 'where to write the private key (overwritten, mode 0600)', 'private.key');
  withExample(
    withJson(command),
    'parley app:create "Simple Chat" https://example.com/webhooks/answer https://example.com/webhooks/event --type=rtc --keyfile=private.key',
  ).action(async (name: string, answerUrl: string, eventUrl: string, options: AppCreateOptions) => {
    const config = await requireConfig(ctx.rcPath);
    const client = adminClient(config);
    const keyfile = ctx.resolvePath(options.keyfile);
    const { publicKey, privateKey } = generateRsaKeyPair();
    const staged = await stageKeyFile(keyfile, privateKey);
    let app: Application;
    try {
      app = await client.post(
        '/v2/applications',
        {
          name,
          type: options.type,
          capabilities: {
            rtc: { webhooks: { event_url: { address: eventUrl, http_method: 'POST' } } },
            voice: { webhooks: { answer_url: { address: answerUrl, http_method: 'GET' } } },
          },
          keys: { public_key: publicKey },
        },
        applicationSchema,
      );
    } catch (e) {
      await rm(staged, { force: true });
      throw e;
    }
    try {
      await rename(staged, keyfile);
      await chmod(keyfile, 0o600);
    } catch (e) {
      throw new UsageError(
        'cli:error:write-failed',
        `application ${app.id} was created but its key could not be moved from ${staged} to ${keyfile}: ${systemReason(e)}`,
      );
    }
    await writeConfig(ctx.rcPath, { ...config, app: { id: app.id, keyfile } });
    printResult(ctx, options, app, `Application created: ${app.id}`);
  });
};
