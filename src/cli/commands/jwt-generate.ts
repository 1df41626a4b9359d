import type { Command } from 'commander';
import { withExample, withJson, type JsonOption } from '../command-options.js';
import { readConfig } from '../config.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { printResult } from '../output.js';
import { parseKeyValues, type JsonValue } from '../parse-args.js';
import { readSigningKey, signUserToken } from '../tokens.js';

const TUTORIAL_EXAMPLE =
  `parley jwt:generate ./private.key sub=John exp=$(($(date +%s)+86400)) ` +
  `acl='{"paths":{"/v1/users/**":{},"/v1/conversations/**":{}}}' application_id=APPLICATION_ID`;

const isObject = (v: JsonValue | undefined): v is { [key: string]: JsonValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The application_id claim: as given, else the remembered app (the config is read only then). */
const applicationIdFor = async (ctx: CliContext, given: JsonValue | undefined): Promise<string> => {
  if (typeof given === 'string') return given;
  const remembered = (await readConfig(ctx.rcPath))?.app?.id;
  if (remembered === undefined) {
    throw new UsageError(
      'cli:error:no-application',
      'jwt:generate needs application_id=… (no application is remembered)',
    );
  }
  return remembered;
};

export const registerJwtGenerate = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('jwt:generate')
    .description('Print a user token signed with an application private key (no server call)')
    .argument('<keyfile>', 'private key file (PEM)')
    .argument('[claims...]', 'sub=USER_NAME exp=EPOCH_SECONDS acl=JSON application_id=ID');
  withExample(withJson(command), TUTORIAL_EXAMPLE).action(
    async (keyfile: string, params: string[], options: JsonOption) => {
      const { sub, exp, acl, application_id } = parseKeyValues(params, {
        verb: 'jwt:generate',
        keys: ['sub', 'exp', 'acl', 'application_id'],
        json: ['exp', 'acl'],
      });
      if (exp !== undefined && (typeof exp !== 'number' || !Number.isInteger(exp))) {
        throw new UsageError(
          'cli:error:invalid-argument',
          'exp must be a whole number of seconds since the epoch',
        );
      }
      if (acl !== undefined && !isObject(acl))
        throw new UsageError(
          'cli:error:invalid-argument',
          `acl must be a JSON object such as '{"paths":{}}'`,
        );
      const claims = {
        ...(sub !== undefined ? { sub: sub as string } : {}),
        ...(exp !== undefined ? { exp } : {}),
        ...(acl !== undefined ? { acl } : {}),
        application_id: await applicationIdFor(ctx, application_id),
      };
      const token = signUserToken(claims, await readSigningKey(ctx.resolvePath(keyfile)));
      printResult(ctx, options, { token }, token);
    },
  );
};
