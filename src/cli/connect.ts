import { requireConfig, type ParleyConfig, type RememberedApp } from './config.js';
import type { CliContext } from './context.js';
import { UsageError } from './errors.js';
import { RestClient, basicAuth } from './rest-client.js';
import { readSigningKey, signAppToken } from './tokens.js';

/** `--app-id` / `--keyfile`, accepted by every `/v1` command. */
export interface AppOptions {
  appId?: string;
  keyfile?: string;
}

const noAppHint =
  'no application is remembered; run `parley app:create NAME ANSWER_URL EVENT_URL --type=rtc --keyfile=private.key` or pass --app-id and --keyfile';

/** Which application signs the token: the overrides, else the one `app:create` remembered. */
export const chooseApp = (config: ParleyConfig, options: AppOptions, ctx: CliContext): RememberedApp => {
  const remembered = config.app;
  const { appId, keyfile } = options;
  if (appId !== undefined && keyfile !== undefined) return { id: appId, keyfile: ctx.resolvePath(keyfile) };
  if (appId !== undefined) {
    if (remembered?.id === appId) return remembered;
    throw new UsageError(
      'cli:error:no-application',
      `--app-id ${appId} needs --keyfile with that application's private key`,
    );
  }
  if (keyfile !== undefined) {
    if (remembered) return { id: remembered.id, keyfile: ctx.resolvePath(keyfile) };
    throw new UsageError(
      'cli:error:no-application',
      '--keyfile needs --app-id: no application is remembered',
    );
  }
  if (!remembered) throw new UsageError('cli:error:no-application', noAppHint);
  return remembered;
};

/** A client for the account routes (`/v2/applications`), authenticated with the API key and secret. */
export const adminClient = (config: ParleyConfig): RestClient =>
  new RestClient(config.url, basicAuth(config.apiKey, config.apiSecret));

/** A client for the `/v1` routes, signing a fresh application token for every request. */
export const appClient = async (ctx: CliContext, options: AppOptions): Promise<RestClient> => {
  const config = await requireConfig(ctx.rcPath);
  const app = chooseApp(config, options, ctx);
  const key = await readSigningKey(app.keyfile);
  return new RestClient(config.url, () => Promise.resolve(`Bearer ${signAppToken(app.id, key)}`));
};
