import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig, writeConfig } from '../../src/cli/config.js';
import { API_KEY, API_SECRET, type TestServer } from '../support/test-server.js';
import { useCliFixture } from './support/cli-fixture.js';

const fixture = useCliFixture();
const BASIC = `Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}`;

/** The application as the server itself returns it. */
const serverView = async (server: TestServer, id: string): Promise<Record<string, unknown>> =>
  (await (await server.call('GET', `/v2/applications/${id}`, { basic: true })).json()) as Record<
    string,
    unknown
  >;

const idOf = (line: string | undefined): string => line!.split(': ')[1]!;
const ANSWER = 'https://example.com/webhooks/answer';
const EVENT = 'https://example.com/webhooks/event';

describe('parley app:create', () => {
  it('creates the tutorial application, saves its private key 0600 and remembers it', async () => {
    const { server, proxy, where, run } = await fixture({ withApp: false });
    const created = await run(
      'app:create',
      'Simple Chat',
      ANSWER,
      EVENT,
      '--type=rtc',
      '--keyfile=private.key',
    );
    const id = idOf(created.out[0]);
    expect(created).toMatchObject({ code: 0, out: [`Application created: ${id}`], err: [] });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const [request] = proxy.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/v2/applications' });
    expect(request!.headers.authorization).toBe(BASIC);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toEqual({
      name: 'Simple Chat',
      type: 'rtc',
      capabilities: {
        rtc: { webhooks: { event_url: { address: EVENT, http_method: 'POST' } } },
        voice: { webhooks: { answer_url: { address: ANSWER, http_method: 'GET' } } },
      },
      keys: { public_key: expect.stringContaining('-----BEGIN PUBLIC KEY-----') },
    });

    const keyfile = join(where.cwd, 'private.key');
    const pem = await readFile(keyfile, 'utf8');
    expect(pem).toContain('-----BEGIN PRIVATE KEY-----');
    expect((await stat(keyfile)).mode & 0o777).toBe(0o600);
    const registered = ((await serverView(server, id)) as { keys: { public_key: string } }).keys.public_key;
    // The server keeps the key it was sent (it may re-encode the PEM): compare the keys, not the text.
    const der = (key: KeyObject) => key.export({ type: 'spki', format: 'der' }).toString('hex');
    expect(der(createPublicKey(createPrivateKey(pem)))).toBe(der(createPublicKey(registered)));
    const rsa = createPrivateKey(pem);
    expect(rsa.asymmetricKeyType).toBe('rsa');
    expect(rsa.asymmetricKeyDetails?.modulusLength).toBe(2048);

    expect((await readConfig(where.rc))?.app).toEqual({ id, keyfile });
  });

  it('overwrites an existing key file, leaving it mode 0600', async () => {
    const { where, run } = await fixture({ withApp: false });
    const keyfile = join(where.cwd, 'private.key');
    await writeFile(keyfile, 'old', { mode: 0o644 });
    expect((await run('app:create', 'A', ANSWER, EVENT)).code).toBe(0);
    expect(await readFile(keyfile, 'utf8')).toContain('PRIVATE KEY');
    expect((await stat(keyfile)).mode & 0o777).toBe(0o600);
  });

  it('prints the server reply with --json', async () => {
    const { server, run } = await fixture({ withApp: false });
    const created = JSON.parse((await run('app:create', 'A', ANSWER, EVENT, '--json')).stdout) as {
      id: string;
    };
    expect(created).toEqual(await serverView(server, created.id));
  });

  it('leaves no key file and remembers nothing when the server refuses', async () => {
    const { where, run } = await fixture({ withApp: false });
    await writeConfig(where.rc, { ...(await readConfig(where.rc))!, apiSecret: 'wrong' });
    const created = await run('app:create', 'A', ANSWER, EVENT, '--keyfile=refused.key');
    expect(created).toMatchObject({
      code: 2,
      out: [],
      err: ['Error: The API key or secret is wrong (system:error:invalid-credentials)'],
    });
    await expect(stat(join(where.cwd, 'refused.key'))).rejects.toThrow(/ENOENT/);
    expect((await readConfig(where.rc))?.app).toBeUndefined();
  });

  it('fails before creating anything when the key file cannot be written', async () => {
    const { proxy, where, run } = await fixture({ withApp: false });
    const created = await run('app:create', 'A', ANSWER, EVENT, '--keyfile=no/such/dir/private.key');
    expect(created.code).toBe(1);
    expect(created.err).toEqual([
      `Error: cannot write key file ${join(where.cwd, 'no/such/dir/private.key')}: ENOENT (cli:error:write-failed)`,
    ]);
    expect(proxy.requests).toEqual([]);
  });

  it('accepts only --type=rtc', async () => {
    const { proxy, run } = await fixture({ withApp: false });
    const created = await run('app:create', 'A', ANSWER, EVENT, '--type=voice');
    expect(created.code).toBe(1);
    expect(created.err).toHaveLength(1);
    expect(created.err[0]).toMatch(/^Error: option '--type <type>' argument 'voice' is invalid/);
    expect(proxy.requests).toEqual([]);
  });
});

describe('parley app:list, app:show and app:delete', () => {
  it('lists every application, asking for the largest page', async () => {
    const { proxy, run, appId } = await fixture();
    const apps = [`${appId} | Simple Chat`];
    for (let i = 0; i < 2; i++) {
      const created = await run('app:create', `App ${i}`, ANSWER, EVENT, `--keyfile=k${i}.key`);
      apps.push(`${idOf(created.out[0])} | App ${i}`);
    }
    proxy.requests.length = 0;
    const listed = await run('app:list');
    expect(listed.code).toBe(0);
    expect([...listed.out].sort()).toEqual(apps.sort());
    expect(proxy.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /v2/applications?page_size=100&page=1',
    ]);
    expect(proxy.requests[0]!.headers.authorization).toBe(BASIC);
  });

  it('shows an application as key: value lines, or its JSON with --json', async () => {
    const { server, proxy, run, appId } = await fixture();
    const shown = await run('app:show', appId);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(`id: ${appId}`);
    expect(shown.out).toContain('name: Simple Chat');
    expect(shown.out.some((l) => l.startsWith('_links'))).toBe(false);
    expect(proxy.requests[0]).toMatchObject({ method: 'GET', url: `/v2/applications/${appId}` });
    expect(JSON.parse((await run('app:show', appId, '--json')).stdout)).toEqual(
      await serverView(server, appId),
    );
  });

  it('deletes the remembered application and forgets it', async () => {
    const { server, proxy, where, run, appId } = await fixture();
    const deleted = await run('app:delete', appId);
    expect(deleted).toMatchObject({ code: 0, out: [`Application deleted: ${appId}`] });
    expect(proxy.requests[0]).toMatchObject({ method: 'DELETE', url: `/v2/applications/${appId}` });
    expect((await server.call('GET', `/v2/applications/${appId}`, { basic: true })).status).toBe(404);
    expect((await readConfig(where.rc))?.app).toBeUndefined();
    const after = await run('conversation:list');
    expect(after.code).toBe(1);
    expect(after.err[0]).toMatch(
      /^Error: no application is remembered; run `parley app:create.* \(cli:error:no-application\)$/,
    );
  });

  it('keeps the remembered application when deleting another', async () => {
    const { where, run, appId } = await fixture();
    await run('app:create', 'Other', ANSWER, EVENT, '--keyfile=other.key');
    const other = (await readConfig(where.rc))!.app!.id;
    await writeConfig(where.rc, {
      ...(await readConfig(where.rc))!,
      app: { id: appId, keyfile: join(where.cwd, 'private.key') },
    });
    expect((await run('app:delete', other)).code).toBe(0);
    expect((await readConfig(where.rc))?.app?.id).toBe(appId);
  });

  it('reports an unknown application with the server detail and code', async () => {
    const { run } = await fixture();
    const shown = await run('app:show', 'nope');
    expect(shown).toMatchObject({
      code: 2,
      out: [],
      err: ['Error: Application nope not found (application:error:not-found)'],
    });
    expect((await run('app:delete', 'nope')).err).toEqual([
      'Error: Application nope not found (application:error:not-found)',
    ]);
  });
});
