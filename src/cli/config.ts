import { open, readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError, systemReason } from './errors.js';

export const DEFAULT_URL = 'http://localhost:3000';

const configSchema = z.object({
  url: z.string().min(1),
  apiKey: z.string().min(1),
  apiSecret: z.string(),
  /** The application made by the last `app:create`: `/v1` commands sign their tokens with its key. */
  app: z.object({ id: z.string().min(1), keyfile: z.string().min(1) }).optional(),
});

/** The rc file (`~/.parleyrc` or `$PARLEY_RC`), stored as JSON with mode 0600. */
export type ParleyConfig = z.infer<typeof configSchema>;
export type RememberedApp = NonNullable<ParleyConfig['app']>;

const setupHint = 'run `parley setup API_KEY API_SECRET`';

/** The config at `path`, or undefined when there is no file there. */
export const readConfig = async (path: string): Promise<ParleyConfig | undefined> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError('cli:error:invalid-config', `cannot read ${path}: ${systemReason(e)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError('cli:error:invalid-config', `${path} is not valid JSON; ${setupHint}`);
  }
  const parsed = configSchema.safeParse(data);
  if (!parsed.success)
    throw new UsageError('cli:error:invalid-config', `${path} is not a Parley config; ${setupHint}`);
  return parsed.data;
};

export const requireConfig = async (path: string): Promise<ParleyConfig> => {
  const config = await readConfig(path);
  if (!config) throw new UsageError('cli:error:no-config', `no Parley config at ${path}; ${setupHint}`);
  return config;
};

/** Writes the config readable by its owner only, tightening the mode of an existing file before writing. */
export const writeConfig = async (path: string, config: ParleyConfig): Promise<void> => {
  try {
    const file = await open(path, 'w', 0o600);
    try {
      await file.chmod(0o600);
      await file.writeFile(`${JSON.stringify(config, null, 2)}\n`);
    } finally {
      await file.close();
    }
  } catch (e) {
    throw new UsageError('cli:error:write-failed', `cannot write ${path}: ${systemReason(e)}`);
  }
};

/** Normalises a server URL the user typed; rejects anything but http(s). */
export const parseServerUrl = (text: string): string => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError('cli:error:invalid-argument', `--url must be an http(s) URL, got "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError('cli:error:invalid-argument', `--url must be an http(s) URL, got "${text}"`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new UsageError(
      'cli:error:invalid-argument',
      `--url must not carry credentials, a query or a fragment, got "${text}"`,
    );
  }
  return url.href.replace(/\/+$/, '');
};
