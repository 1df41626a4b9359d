import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliEnvironment } from '../cli/support/run-cli.js';
import { API_KEY, API_SECRET, startTestServer, type TestServer } from '../support/test-server.js';
import { exportDump, FIXTURE } from './dump-client.js';

describe('parley import and parley export', () => {
  let server: TestServer;
  let where: CliEnvironment;
  let appId: string;
  const run = (...argv: string[]) => runCli(argv, where);

  beforeAll(async () => {
    server = await startTestServer();
    const cwd = await mkdtemp(join(tmpdir(), 'parley-cli-import-'));
    where = { cwd, rc: join(cwd, 'parleyrc.json') };
    expect((await run('setup', API_KEY, API_SECRET, '--url', server.url)).code).toBe(0);
    const created = await run('app:create', 'Migrated', 'https://example.com/a', 'https://example.com/e');
    appId = created.out[0]!.split(': ')[1]!;
  });
  afterAll(async () => {
    await server.stop();
    await rm(where.cwd, { recursive: true, force: true });
  });

  it('imports a dump into the remembered application, with progress on stderr and a summary', async () => {
    const imported = await run('import', FIXTURE);
    expect(imported.code).toBe(0);
    expect(imported.out).toEqual([
      `Imported 57 lines into ${appId}`,
      'created: 3 users, 1 conversations, 3 members, 50 events',
      'unchanged: 0 users, 0 conversations, 0 members, 0 events',
      'conflicts: 0, refused: 0, malformed: 0',
    ]);
    expect(imported.err.at(-1)).toMatch(/^import: 100% \([\d.]+ of [\d.]+ MB sent\)$/);

    const again = await run('import', FIXTURE, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      unchanged: { users: 3, conversations: 1, members: 3, events: 50 },
    });
  });

  it('exports to standard output what the server streams, and imports it elsewhere with --app-id', async () => {
    const exported = await run('export');
    expect(exported.code).toBe(0);
    expect(`${exported.stdout}\n`).toBe(await exportDump(server, appId));
    expect(exported.err).toEqual([`export: ${exported.out.length} objects`]);
    const file = join(where.cwd, 'backup.ndjson');
    await writeFile(file, `${exported.stdout}\n`);

    // Ids are unique per server, so the copy goes to another server (as a move would).
    const target = await startTestServer();
    try {
      const there: CliEnvironment = { cwd: where.cwd, rc: join(where.cwd, 'target-rc.json') };
      const runThere = (...argv: string[]) => runCli(argv, there);
      expect((await runThere('setup', API_KEY, API_SECRET, '--url', target.url)).code).toBe(0);
      const created = await runThere('app:create', 'Copy', 'https://example.com/a', 'https://example.com/e');
      const other = created.out[0]!.split(': ')[1]!;
      const copied = await runThere('import', file, '--app-id', other);
      expect(copied.code).toBe(0);
      expect(copied.out[1]).toBe('created: 3 users, 1 conversations, 3 members, 50 events');
      expect(await exportDump(target, other)).toBe(await exportDump(server, appId));
    } finally {
      await target.stop();
    }

    const cid = JSON.parse(exported.out.find((line) => line.includes('"kind":"conversation"'))!).id;
    const one = await run('export', '--conversation', cid);
    expect(one.out).toHaveLength(exported.out.length);
  });

  it('lists conflicts and malformed lines, exits 2, and stops at the first malformed line with --strict', async () => {
    const file = join(where.cwd, 'bad.ndjson');
    await writeFile(
      file,
      [
        '{"kind":"user","id":"USR-6b2e0c8a-3f4d-4e7b-9a51-0c1d2e3f4a5b","name":"alice","display_name":"Someone else"}',
        'oops',
        '{"kind":"user","id":"USR-cli-late","name":"late"}',
      ].join('\n'),
    );
    const result = await run('import', file);
    expect(result.code).toBe(2);
    expect(result.out.slice(4)).toEqual([
      'line 1: conflict: user USR-6b2e0c8a-3f4d-4e7b-9a51-0c1d2e3f4a5b differs in display_name, image_url, properties.custom_data',
      'line 2: malformed: not valid JSON',
    ]);
    expect(result.err.at(-1)).toBe('Error: 2 lines were not imported as given (cli:error:import-partial)');

    const strict = await run('import', file, '--strict', '--overwrite');
    expect(strict.code).toBe(2);
    expect(strict.out).toContain('stopped at line 2 (--strict)');
    expect(strict.out).toContain('overwritten: 1 users, 0 conversations, 0 members, 0 events');
  });

  it('says what is wrong when the file or the application is missing', async () => {
    expect(await run('import', 'no-such-file.ndjson')).toMatchObject({
      code: 1,
      err: ['Error: cannot read no-such-file.ndjson: ENOENT (cli:error:invalid-argument)'],
    });
    const missing = await run('export', '--app-id', 'no-such-app');
    expect(missing).toMatchObject({
      code: 2,
      err: ['Error: Application no-such-app not found (application:error:not-found)'],
    });
  });
});
