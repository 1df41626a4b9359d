import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { counts, FIXTURE, importDump, listings } from './dump-client.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');

/** The script docs/import-export.md gives for pulling a dump out of Vonage, as printed there. */
async function documentedScript(): Promise<string> {
  const doc = await readFile(join(root, 'docs', 'import-export.md'), 'utf8');
  const script = /```js\n(\/\/ vonage-dump\.mjs[\s\S]*?)```/.exec(doc)?.[1];
  if (!script) throw new Error('docs/import-export.md has no vonage-dump.mjs script');
  return script;
}

describe("the documented script that dumps an application through Vonage's SDKs", () => {
  let source: TestServer;
  let target: TestServer;
  let dir: string;

  beforeAll(async () => {
    [source, target] = await Promise.all([startTestServer(), startTestServer()]);
    dir = await mkdtemp(join(tmpdir(), 'parley-vonage-dump-'));
    // The script imports @vonage/*, resolved from a node_modules beside it.
    await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('is about 20 lines of code and writes a dump that imports into another server unchanged', async () => {
    const script = await documentedScript();
    const code = script.split('\n').filter((line) => line.trim() !== '' && !/^\s*(\/\/|\/\*\*)/.test(line));
    expect(code.length).toBeLessThanOrEqual(24);
    const file = join(dir, 'vonage-dump.mjs');
    await writeFile(file, script);

    // The source speaks Vonage's API with Vonage's data in it, as Vonage did.
    const vonage = await source.createApp('Vonage');
    await importDump(source, vonage.id, await readFile(FIXTURE, 'utf8'));
    const { stdout } = await run('node', [file], {
      cwd: dir,
      env: {
        ...process.env,
        VONAGE_APPLICATION_ID: vonage.id,
        VONAGE_PRIVATE_KEY: vonage.privateKey,
        VONAGE_API_HOST: source.url,
      },
    });
    expect(stdout.trim().split('\n')).toHaveLength(57);

    const parley = await target.createApp('Parley');
    const summary = await importDump(target, parley.id, stdout);
    expect(summary).toMatchObject({ created: counts(3, 1, 3, 50), conflicts: 0, refused: 0, malformed: 0 });
    expect(await listings(target, parley)).toEqual(await listings(source, vonage));
  });
});
