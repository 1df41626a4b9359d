import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase, serviceSkipReason } from '../support/services.js';
import { appToken, startTestServer, type TestServer } from '../support/test-server.js';
import { counts, exportDump, FIXTURE, importDump, listings } from './dump-client.js';

const skip = await serviceSkipReason('postgres');

describe.skipIf(skip !== undefined)('export from SQLite, import into PostgreSQL', () => {
  let sqlite: TestServer;
  let postgres: TestServer;
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    [sqlite, postgres] = await Promise.all([
      startTestServer(),
      startTestServer({ databaseUrl: database.url }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([sqlite?.stop(), postgres?.stop()]);
    await database?.drop();
  });

  it('reproduces every object and id, so every REST listing is identical', async () => {
    const source = await sqlite.createApp('Source');
    await importDump(sqlite, source.id, await readFile(FIXTURE, 'utf8'));
    // Objects made by Parley itself, with its own ids and times, beside the imported history.
    const { cid } = await sqlite.createRoom(source, ['dana', 'eli']);
    const token = await appToken(source);
    const dana = (await (await sqlite.call('GET', '/v1/users?name=dana', { token })).json())._embedded
      .users[0];
    const danaMember = (
      await (await sqlite.call('GET', `/v1/conversations/${cid}/members?page_size=10`, { token })).json()
    )._embedded.members.find((m: any) => m._embedded.user.id === dana.id);
    for (const text of ['one', 'two', 'three']) {
      const sent = await sqlite.call('POST', `/v1/conversations/${cid}/events`, {
        token,
        body: { type: 'text', from: danaMember.id, body: { text }, client_ref: `ref-${text}` },
      });
      expect(sent.status).toBe(201);
    }
    expect((await sqlite.call('DELETE', `/v1/conversations/${cid}/events/4`, { token })).status).toBe(204);
    await sqlite.call('PATCH', `/v1/conversations/${cid}/members/${danaMember.id}`, {
      token,
      body: { state: 'LEFT' },
    });

    const dump = await exportDump(sqlite, source.id);
    const target = await postgres.createApp('Target');
    const summary = await importDump(postgres, target.id, dump);
    expect(summary).toMatchObject({ conflicts: 0, refused: 0, malformed: 0, created: counts(5, 2, 5, 57) });

    expect(await listings(postgres, target)).toEqual(await listings(sqlite, source));
    expect(await exportDump(postgres, target.id)).toBe(dump);

    // The next event follows the copied history on the new server too.
    const next = await postgres.call('POST', `/v1/conversations/${cid}/events`, {
      token: await appToken(target),
      body: { type: 'text', body: { text: 'after the move' } },
    });
    expect((await next.json()).id).toBe(8);
  });

  it('exports only the conversations asked for, with the users of their members', async () => {
    const app = await sqlite.createApp('Partial');
    const { cid } = await sqlite.createRoom(app, ['fay']);
    await sqlite.createRoom(app, ['gus']);
    const dump = await exportDump(sqlite, app.id, `?conversation=${cid}`);
    const lines = dump
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.kind, line.name ?? line.type ?? line._embedded?.user?.name])).toEqual([
      ['user', 'fay'],
      ['conversation', undefined],
      ['member', 'fay'],
      ['event', 'member:joined'],
    ]);
    const missing = await fetch(`${sqlite.url}/v2/applications/${app.id}/export?conversation=CON-nope`, {
      headers: { authorization: `Basic ${Buffer.from('testkey:test-secret-123').toString('base64')}` },
    });
    expect(missing.status).toBe(404);
  });
});
