import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig, writeConfig } from '../../src/cli/config.js';
import { useCliFixture } from './support/cli-fixture.js';
import { FAKE_API_KEY, FAKE_API_SECRET } from './support/fake-parley.js';

const fixture = useCliFixture();
const BASIC = `Basic ${Buffer.from(`${FAKE_API_KEY}:${FAKE_API_SECRET}`).toString('base64')}`;
const ANSWER = 'https://example.com/webhooks/answer';
const EVENT = 'https://example.com/webhooks/event';

describe('parley app:create', () => {
  it('creates the tutorial application, saves its private key 0600 and remembers it', async () => {
    const { fake, where, run } = await fixture({ withApp: false });
    const created = await run(
      'app:create',
      'Simple Chat',
      ANSWER,
      EVENT,
      '--type=rtc',
      '--keyfile=private.key',
    );
    const [app] = [...fake.apps.values()];
    expect(created).toMatchObject({ code: 0, out: [`Application created: ${app!.id}`], err: [] });
    expect(app!.id).toMatch(/^[0-9a-f-]{36}$/);

    const [request] = fake.requests;
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
    const derived = createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'pem' });
    expect(derived).toBe(app!.publicKey);
    const rsa = createPrivateKey(pem);
    expect(rsa.asymmetricKeyType).toBe('rsa');
    expect(rsa.asymmetricKeyDetails?.modulusLength).toBe(2048);

    expect((await readConfig(where.rc))?.app).toEqual({ id: app!.id, keyfile });
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
    const { fake, run } = await fixture({ withApp: false });
    const created = await run('app:create', 'A', ANSWER, EVENT, '--json');
    expect(JSON.parse(created.stdout)).toEqual([...fake.apps.values()][0]!.body);
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
    const { fake, where, run } = await fixture({ withApp: false });
    const created = await run('app:create', 'A', ANSWER, EVENT, '--keyfile=no/such/dir/private.key');
    expect(created.code).toBe(1);
    expect(created.err).toEqual([
      `Error: cannot write key file ${join(where.cwd, 'no/such/dir/private.key')}: ENOENT (cli:error:write-failed)`,
    ]);
    expect(fake.requests).toEqual([]);
  });

  it('accepts only --type=rtc', async () => {
    const { fake, run } = await fixture({ withApp: false });
    const created = await run('app:create', 'A', ANSWER, EVENT, '--type=voice');
    expect(created.code).toBe(1);
    expect(created.err).toHaveLength(1);
    expect(created.err[0]).toMatch(/^Error: option '--type <type>' argument 'voice' is invalid/);
    expect(fake.requests).toEqual([]);
  });
});

describe('parley app:list, app:show and app:delete', () => {
  it('lists every application across pages', async () => {
    const { fake, run } = await fixture();
    for (let i = 0; i < 2; i++) await run('app:create', `App ${i}`, ANSWER, EVENT, `--keyfile=k${i}.key`);
    fake.requests.length = 0;
    const listed = await run('app:list');
    expect(listed.code).toBe(0);
    expect(listed.out).toEqual([...fake.apps.values()].map((a) => `${a.id} | ${a.name}`));
    expect(fake.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /v2/applications?page_size=100&page=1',
    ]);
    expect(fake.requests[0]!.headers.authorization).toBe(BASIC);
  });

  it('asks for the next page until total_pages is reached', async () => {
    const { fake, run, appId } = await fixture();
    fake.intercept = (request) => {
      const page = Number(new URL(request.url, fake.url).searchParams.get('page'));
      const app = { id: `${appId.slice(0, -1)}${page}`, name: `page ${page}` };
      return { status: 200, body: { page, total_pages: 3, _embedded: { applications: [app] } } };
    };
    const listed = await run('app:list', '--json');
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((a) => a.name)).toEqual([
      'page 1',
      'page 2',
      'page 3',
    ]);
    expect(fake.requests.map((r) => r.url)).toEqual(
      [1, 2, 3].map((p) => `/v2/applications?page_size=100&page=${p}`),
    );
  });

  it('shows an application as key: value lines, or its JSON with --json', async () => {
    const { fake, run, appId } = await fixture();
    const shown = await run('app:show', appId);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(`id: ${appId}`);
    expect(shown.out).toContain('name: Simple Chat');
    expect(shown.out.some((l) => l.startsWith('_links'))).toBe(false);
    expect(fake.requests[0]).toMatchObject({ method: 'GET', url: `/v2/applications/${appId}` });
    expect(JSON.parse((await run('app:show', appId, '--json')).stdout)).toEqual(fake.apps.get(appId)!.body);
  });

  it('deletes the remembered application and forgets it', async () => {
    const { fake, where, run, appId } = await fixture();
    const deleted = await run('app:delete', appId);
    expect(deleted).toMatchObject({ code: 0, out: [`Application deleted: ${appId}`] });
    expect(fake.requests[0]).toMatchObject({ method: 'DELETE', url: `/v2/applications/${appId}` });
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
      err: ['Error: Application not found (application:error:not-found)'],
    });
    expect((await run('app:delete', 'nope')).err).toEqual([
      'Error: Application not found (application:error:not-found)',
    ]);
  });
});
