import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeClient } from '../support/realtime-clients.js';
import {
  appToken,
  signToken,
  startTestServer,
  userToken,
  type TestApp,
  type TestServer,
} from '../support/test-server.js';
import { counts, importDump, postImport } from './dump-client.js';

const ndjson = (...objects: unknown[]): string => objects.map((o) => JSON.stringify(o)).join('\n') + '\n';

const user = (id: string, name: string, over: Record<string, unknown> = {}) => ({
  kind: 'user',
  id,
  name,
  display_name: null,
  image_url: null,
  properties: { custom_data: {} },
  ...over,
});
const conversation = (id: string, name: string) => ({
  kind: 'conversation',
  id,
  name,
  display_name: null,
  image_url: null,
  state: 'ACTIVE',
  timestamp: { created: '2025-01-01T00:00:00.000Z' },
  properties: { custom_data: {} },
});
const member = (id: string, cid: string, uid: string) => ({
  kind: 'member',
  id,
  conversation_id: cid,
  state: 'JOINED',
  timestamp: { joined: '2025-01-01T00:00:01.000Z' },
  channel: { type: 'app' },
  _embedded: { user: { id: uid } },
});
const text = (cid: string, id: number, from: string | null, body: string) => ({
  kind: 'event',
  conversation_id: cid,
  id,
  type: 'text',
  from,
  body: { text: body },
  timestamp: new Date(Date.UTC(2025, 0, 1, 0, 1) + id * 1000).toISOString(),
});

describe('importing: conflicts, refusals, malformed lines and callers', () => {
  let server: TestServer;
  let app: TestApp;

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp('Problems');
  });
  afterAll(() => server.stop());

  it('reports an object stored with different content as a conflict with its line, id and fields', async () => {
    await importDump(server, app.id, ndjson(user('USR-c1', 'conflicted', { display_name: 'Before' })));
    const changed = ndjson(
      user('USR-c2', 'fresh'),
      user('USR-c1', 'conflicted', { display_name: 'After', properties: { custom_data: { a: 1 } } }),
    );
    const summary = await importDump(server, app.id, changed);
    expect(summary).toMatchObject({ created: counts(1, 0, 0, 0), conflicts: 1 });
    expect(summary.problems).toEqual([
      {
        line: 2,
        outcome: 'conflict',
        kind: 'user',
        id: 'USR-c1',
        fields: ['display_name', 'properties.custom_data'],
      },
    ]);
    const token = await appToken(app);
    expect(await (await server.call('GET', '/v1/users/USR-c1', { token })).json()).toMatchObject({
      display_name: 'Before',
    });

    const overwritten = await importDump(server, app.id, changed, '?overwrite=true');
    expect(overwritten).toMatchObject({ overwritten: counts(1, 0, 0, 0), unchanged: counts(1, 0, 0, 0) });
    expect(await (await server.call('GET', '/v1/users/USR-c1', { token })).json()).toMatchObject({
      display_name: 'After',
      properties: { custom_data: { a: 1 } },
    });
  });

  it('reports conflicting events by conversation and id, and keeps the stored ones unless overwriting', async () => {
    const cid = 'CON-events';
    await importDump(server, app.id, ndjson(conversation(cid, 'events'), text(cid, 1, null, 'one')));
    const summary = await importDump(
      server,
      app.id,
      ndjson(text(cid, 1, null, 'uno'), text(cid, 2, null, 'two')),
    );
    expect(summary).toMatchObject({ created: counts(0, 0, 0, 1), conflicts: 1 });
    expect(summary.problems).toEqual([
      { line: 1, outcome: 'conflict', kind: 'event', id: 1, conversation_id: cid, fields: ['body'] },
    ]);
  });

  it('refuses what it cannot store, saying why, and imports the rest', async () => {
    await importDump(server, app.id, ndjson(user('USR-taken', 'taken-name')));
    const summary = await importDump(
      server,
      app.id,
      ndjson(
        user('USR-other', 'taken-name'),
        member('MEM-orphan', 'CON-nowhere', 'USR-taken'),
        text('CON-nowhere', 1, null, 'lost'),
        conversation('CON-ok', 'ok'),
        member('MEM-nouser', 'CON-ok', 'USR-nobody'),
        text('CON-ok', 1, null, 'kept'),
      ),
    );
    expect(summary).toMatchObject({ created: counts(0, 1, 0, 1), refused: 4 });
    expect(summary.problems).toEqual([
      expect.objectContaining({ line: 1, outcome: 'refused', code: 'user:error:duplicate-name' }),
      expect.objectContaining({ line: 2, outcome: 'refused', code: 'conversation:error:not-found' }),
      expect.objectContaining({ line: 3, outcome: 'refused', code: 'conversation:error:not-found' }),
      expect.objectContaining({ line: 5, outcome: 'refused', code: 'user:error:not-found' }),
    ]);
  });

  it("refuses ids that belong to another application's objects", async () => {
    const other = await server.createApp('Other');
    await importDump(server, other.id, ndjson(user('USR-theirs', 'theirs')));
    const summary = await importDump(server, app.id, ndjson(user('USR-theirs', 'mine')));
    expect(summary.problems).toEqual([
      expect.objectContaining({ line: 1, outcome: 'refused', code: 'system:error:cross-application' }),
    ]);
  });

  it('reports malformed lines with their numbers and goes on, unless strict', async () => {
    const body = [
      JSON.stringify(user('USR-m1', 'm1')),
      '{not json',
      '',
      JSON.stringify({ kind: 'channel', id: 'x' }),
      JSON.stringify({
        kind: 'event',
        conversation_id: 'CON-x',
        id: -3,
        type: 'text',
        timestamp: 'yesterday',
      }),
      JSON.stringify(user('USR-m2', 'm2')),
    ].join('\n');
    const summary = await importDump(server, app.id, body);
    expect(summary).toMatchObject({ lines: 6, created: counts(2, 0, 0, 0), malformed: 3 });
    expect(summary.problems).toEqual([
      { line: 2, outcome: 'malformed', reason: 'not valid JSON' },
      { line: 4, outcome: 'malformed', reason: 'kind must be user, conversation, member or event' },
      { line: 5, outcome: 'malformed', reason: expect.stringMatching(/^event id: /) },
    ]);

    const strict = await importDump(
      server,
      app.id,
      ndjson(user('USR-s1', 's1'), { kind: 'user' }, user('USR-s2', 's2')),
      '?strict=true',
    );
    expect(strict).toMatchObject({ stopped_at: 2, malformed: 1, created: counts(1, 0, 0, 0) });
    const token = await appToken(app);
    expect((await server.call('GET', '/v1/users/USR-s2', { token })).status).toBe(404);
  });

  it('applies members and events that come before their user and conversation, across batches', async () => {
    const cid = 'CON-late';
    const early = Array.from({ length: 1200 }, (_, i) => text(cid, i + 1, 'MEM-late', `early ${i + 1}`));
    const summary = await importDump(
      server,
      app.id,
      ndjson(
        member('MEM-late', cid, 'USR-late'),
        ...early,
        user('USR-late', 'late'),
        conversation(cid, 'late'),
      ),
    );
    expect(summary).toMatchObject({ created: counts(1, 1, 1, 1200), refused: 0, malformed: 0 });
    const token = await appToken(app);
    const last = await server.call('GET', `/v1/conversations/${cid}/events/1200`, { token });
    expect(await last.json()).toMatchObject({ id: 1200, from: 'MEM-late', body: { text: 'early 1200' } });
  });

  it('pushes imported events to live sessions only when asked to notify', async () => {
    const cid = 'CON-live';
    await importDump(
      server,
      app.id,
      ndjson(user('USR-live', 'live'), conversation(cid, 'live'), member('MEM-live', cid, 'USR-live')),
    );
    const client = await nativeClient(server.url);
    try {
      const login = await client.request('session:login', { body: { token: await userToken(app, 'live') } });
      expect(login.type).toBe('session:success');
      await importDump(server, app.id, ndjson(text(cid, 1, 'MEM-live', 'quiet')));
      // A push would have been sent before the import's reply, so before this request's answer.
      expect((await client.request('conversation:get', { cid })).type).toBe('conversation:get:success');
      expect(client.pushed.filter((m) => m.type === 'text')).toEqual([]);

      await importDump(
        server,
        app.id,
        ndjson(text(cid, 2, 'MEM-live', 'loud'), text(cid, 3, 'MEM-live', 'louder')),
        '?notify=true',
      );
      await client.waitFor((m) => m.type === 'text' && m.id === 3);
      // The session also catches up on the quiet one, in order, as on any gap.
      expect(client.pushed.filter((m) => m.type === 'text').map((m) => m.id)).toEqual([1, 2, 3]);
    } finally {
      client.close();
    }
  });

  it('refuses a user token with the forbidden code, and any other application, and no credentials', async () => {
    await importDump(server, app.id, ndjson(user('USR-carl', 'carl')));
    const body = ndjson(user('USR-u1', 'u1'));
    const asUser = await postImport(server, app.id, body, {
      authorization: `Bearer ${await userToken(app, 'carl')}`,
    });
    expect(asUser).toMatchObject({
      status: 403,
      body: { code: 'system:error:forbidden', detail: expect.stringMatching(/not a user token/) },
    });
    const other = await server.createApp('Elsewhere');
    const asOther = await postImport(server, app.id, body, {
      authorization: `Bearer ${await appToken(other)}`,
    });
    expect(asOther).toMatchObject({ status: 403, body: { code: 'system:error:cross-application' } });
    const anonymous = await postImport(server, app.id, body, { authorization: '' });
    expect(anonymous).toMatchObject({ status: 401, body: { code: 'system:error:invalid-credentials' } });
    const exported = await fetch(`${server.url}/v2/applications/${app.id}/export`, {
      headers: { authorization: `Bearer ${await userToken(app, 'carl')}` },
    });
    expect(exported.status).toBe(403);

    const asApp = await postImport(server, app.id, body, { authorization: `Bearer ${await appToken(app)}` });
    expect(asApp).toMatchObject({ status: 200, body: { created: counts(1, 0, 0, 0) } });
    const limited = await signToken(app, { acl: { paths: { '/v1/**': {} } } });
    const outsideAcl = await postImport(server, app.id, body, { authorization: `Bearer ${limited}` });
    expect(outsideAcl).toMatchObject({ status: 403, body: { code: 'system:error:forbidden-path' } });
  });

  it('wants NDJSON and an application that exists', async () => {
    const asJson = await postImport(server, app.id, '{"kind":"user"}', { contentType: 'application/json' });
    expect(asJson).toMatchObject({ status: 415, body: { code: 'http:error:unsupported-media-type' } });
    const missing = await postImport(server, 'no-such-app', ndjson(user('USR-x', 'x')));
    expect(missing).toMatchObject({ status: 404, body: { code: 'application:error:not-found' } });
  });
});
