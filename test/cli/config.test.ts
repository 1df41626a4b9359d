import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServerUrl, readConfig, requireConfig, writeConfig } from '../../src/cli/config.js';
import { UsageError } from '../../src/cli/errors.js';
import { main } from '../../src/cli/main.js';
import { runCli } from './support/run-cli.js';
import { useTempDirs } from './support/temp-dir.js';

const tempDir = useTempDirs();
const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe('the rc file', () => {
  it('is written as JSON readable only by its owner', async () => {
    const rc = join(await tempDir(), 'rc');
    await writeConfig(rc, { url: 'http://localhost:3000', apiKey: 'k', apiSecret: 's' });
    expect(await modeOf(rc)).toBe(0o600);
    expect(JSON.parse(await readFile(rc, 'utf8'))).toEqual({
      url: 'http://localhost:3000',
      apiKey: 'k',
      apiSecret: 's',
    });
    expect(await readConfig(rc)).toEqual({ url: 'http://localhost:3000', apiKey: 'k', apiSecret: 's' });
  });

  it('tightens an existing file to mode 0600 when rewritten', async () => {
    const rc = join(await tempDir(), 'rc');
    await writeFile(rc, '{}');
    await chmod(rc, 0o644);
    await writeConfig(rc, { url: 'http://h', apiKey: 'k', apiSecret: 's' });
    expect(await modeOf(rc)).toBe(0o600);
  });

  it('reads as absent when there is no file, and as an error telling to run setup when required', async () => {
    const rc = join(await tempDir(), 'missing');
    expect(await readConfig(rc)).toBeUndefined();
    await expect(requireConfig(rc)).rejects.toThrow(
      new UsageError(
        'cli:error:no-config',
        `no Parley config at ${rc}; run \`parley setup API_KEY API_SECRET\``,
      ),
    );
  });

  it('refuses a file that is not a Parley config', async () => {
    const rc = join(await tempDir(), 'rc');
    await writeFile(rc, '{"url": 3}');
    await expect(readConfig(rc)).rejects.toThrow(/is not a Parley config; run `parley setup/);
    await writeFile(rc, 'url=http://x');
    await expect(readConfig(rc)).rejects.toThrow(/is not valid JSON; run `parley setup/);
  });

  it('accepts only plain http(s) server URLs and drops a trailing slash', () => {
    expect(parseServerUrl('http://localhost:3000/')).toBe('http://localhost:3000');
    expect(parseServerUrl('https://chat.example.com/parley/')).toBe('https://chat.example.com/parley');
    expect(() => parseServerUrl('localhost:3000')).toThrow(UsageError);
    expect(() => parseServerUrl('ftp://x')).toThrow(UsageError);
    expect(() => parseServerUrl('http://u:p@x')).toThrow(UsageError);
  });
});

describe('parley setup', () => {
  it('writes the credentials to PARLEY_RC with mode 0600 and says where', async () => {
    const cwd = await tempDir();
    const rc = join(cwd, 'rc');
    const run = await runCli(['setup', 'KEY', 'SECRET'], { cwd, rc });
    expect(run).toMatchObject({ code: 0, out: [`Credentials written to ${rc}`], err: [] });
    expect(await modeOf(rc)).toBe(0o600);
    expect(JSON.parse(await readFile(rc, 'utf8'))).toEqual({
      url: 'http://localhost:3000',
      apiKey: 'KEY',
      apiSecret: 'SECRET',
    });
  });

  it('defaults to ~/.parleyrc when PARLEY_RC is not set', async () => {
    const home = await tempDir();
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: () => undefined, env: { HOME: home }, cwd: home };
    const code = await main(['setup', 'KEY', 'SECRET'], io);
    expect(code).toBe(0);
    expect(out).toEqual([`Credentials written to ${join(home, '.parleyrc')}`]);
    expect(await modeOf(join(home, '.parleyrc'))).toBe(0o600);
  });

  it('keeps the remembered app when the url and key are unchanged, and keeps the saved url without --url', async () => {
    const cwd = await tempDir();
    const rc = join(cwd, 'rc');
    const app = { id: 'app-1', keyfile: join(cwd, 'private.key') };
    await writeConfig(rc, { url: 'http://h:1', apiKey: 'KEY', apiSecret: 'old', app });
    expect((await runCli(['setup', 'KEY', 'new'], { cwd, rc })).code).toBe(0);
    expect(await readConfig(rc)).toEqual({ url: 'http://h:1', apiKey: 'KEY', apiSecret: 'new', app });
  });

  it('forgets the remembered app when the url or the key changes', async () => {
    const cwd = await tempDir();
    const rc = join(cwd, 'rc');
    const app = { id: 'app-1', keyfile: join(cwd, 'private.key') };
    await writeConfig(rc, { url: 'http://h:1', apiKey: 'KEY', apiSecret: 's', app });
    await runCli(['setup', 'KEY', 's', '--url', 'http://h:2'], { cwd, rc });
    expect((await readConfig(rc))?.app).toBeUndefined();
    await writeConfig(rc, { url: 'http://h:1', apiKey: 'KEY', apiSecret: 's', app });
    await runCli(['setup', 'OTHER', 's'], { cwd, rc });
    expect((await readConfig(rc))?.app).toBeUndefined();
  });

  it('repairs a broken rc file', async () => {
    const cwd = await tempDir();
    const rc = join(cwd, 'rc');
    await writeFile(rc, 'garbage');
    expect((await runCli(['setup', 'KEY', 'SECRET', '--url', 'http://h:9'], { cwd, rc })).code).toBe(0);
    expect(await readConfig(rc)).toEqual({ url: 'http://h:9', apiKey: 'KEY', apiSecret: 'SECRET' });
  });

  it('rejects a URL that is not http(s) with one line and exit 1', async () => {
    const cwd = await tempDir();
    const run = await runCli(['setup', 'KEY', 'SECRET', '--url', 'localhost'], { cwd, rc: join(cwd, 'rc') });
    expect(run).toMatchObject({
      code: 1,
      out: [],
      err: ['Error: --url must be an http(s) URL, got "localhost" (cli:error:invalid-argument)'],
    });
  });
});
