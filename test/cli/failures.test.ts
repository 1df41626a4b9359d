import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig, writeConfig } from '../../src/cli/config.js';
import { RestClient, ServerUnreachableError, basicAuth } from '../../src/cli/rest-client.js';
import { useCliFixture } from './support/cli-fixture.js';
import { closedPortUrl } from './support/recording-proxy.js';
import { runCli } from './support/run-cli.js';
import { useTempDirs } from './support/temp-dir.js';

const fixture = useCliFixture();
const tempDir = useTempDirs();

describe('when the server cannot be reached', () => {
  it('says so in one line and exits 3, for account and application commands alike', async () => {
    const { where, run } = await fixture();
    const url = await closedPortUrl();
    await writeConfig(where.rc, { ...(await readConfig(where.rc))!, url });
    for (const argv of [
      ['app:list'],
      ['conversation:create', 'display_name=Old School Chat'],
      ['user:list'],
    ]) {
      expect(await run(...argv)).toMatchObject({
        code: 3,
        out: [],
        err: [`Error: cannot reach Parley at ${url}: ECONNREFUSED (cli:error:unreachable)`],
      });
    }
  });

  it('gives up on a server that never answers', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const client = new RestClient(url, basicAuth('k', 's'), 100);
      const failure = client.delete('/v2/applications/x');
      await expect(failure).rejects.toThrow(ServerUnreachableError);
      await expect(failure).rejects.toThrow(`cannot reach Parley at ${url}: no answer within 0.1s`);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('when the server says no', () => {
  it('reports wrong credentials with the server detail and code, exit 2', async () => {
    const { where, run } = await fixture();
    await writeConfig(where.rc, { ...(await readConfig(where.rc))!, apiSecret: 'wrong' });
    expect(await run('app:list')).toMatchObject({
      code: 2,
      out: [],
      err: ['Error: The API key or secret is wrong (system:error:invalid-credentials)'],
    });
  });

  it('reports a token the server does not accept', async () => {
    const { server, run, appId } = await fixture();
    expect((await server.call('DELETE', `/v2/applications/${appId}`, { basic: true })).status).toBe(204);
    expect(await run('conversation:list')).toMatchObject({
      code: 2,
      err: ['Error: The token names no known application (system:error:unknown-application)'],
    });
  });

  it('names the invalid parameters the server lists', async () => {
    const { proxy, run } = await fixture();
    proxy.intercept = () => ({
      status: 400,
      body: {
        code: 'http:error:validation-fail',
        title: 'The request is invalid',
        detail: 'The request is invalid',
        invalid_parameters: [{ name: 'name', reason: 'is too long' }],
      },
    });
    expect((await run('user:create', 'name=x')).err).toEqual([
      'Error: The request is invalid: name is too long (http:error:validation-fail)',
    ]);
  });

  it('reports a refusal without a JSON body by its status', async () => {
    const { proxy, run } = await fixture();
    proxy.intercept = () => ({ status: 502, text: '<html>Bad Gateway</html>' });
    expect(await run('conversation:list')).toMatchObject({
      code: 2,
      err: ['Error: GET /v1/conversations answered 502 Bad Gateway (cli:error:server-refused)'],
    });
  });

  it('reports a success reply it cannot read', async () => {
    const { proxy, run } = await fixture();
    proxy.intercept = () => ({ status: 200, text: 'hello' });
    expect(await run('conversation:list')).toMatchObject({
      code: 2,
      err: ['Error: GET /v1/conversations answered 200 without a JSON body (cli:error:unexpected-reply)'],
    });
    proxy.intercept = () => ({ status: 201, body: { name: 'no id' } });
    const created = await run('user:create', 'name=x');
    expect(created.code).toBe(2);
    expect(created.err).toHaveLength(1);
    expect(created.err[0]).toMatch(
      /^Error: POST \/v1\/users answered an unexpected body \(id: .*\(cli:error:unexpected-reply\)$/,
    );
  });
});

describe('when the server pages oddly', () => {
  it('asks for the next page until total_pages is reached', async () => {
    const { proxy, run, appId } = await fixture();
    proxy.intercept = (request) => {
      const page = Number(new URL(request.url, proxy.url).searchParams.get('page'));
      const app = { id: `${appId.slice(0, -1)}${page}`, name: `page ${page}` };
      return { status: 200, body: { page, total_pages: 3, _embedded: { applications: [app] } } };
    };
    const listed = await run('app:list', '--json');
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((a) => a.name)).toEqual([
      'page 1',
      'page 2',
      'page 3',
    ]);
    expect(proxy.requests.map((r) => r.url)).toEqual(
      [1, 2, 3].map((p) => `/v2/applications?page_size=100&page=${p}`),
    );
  });

  it('follows next links on the configured server even when they name another host', async () => {
    const { proxy, run } = await fixture();
    let calls = 0;
    proxy.intercept = () => {
      calls++;
      const next =
        calls === 1 ? { next: { href: 'http://elsewhere.example/v1/conversations?cursor=abc' } } : {};
      return { status: 200, body: { _embedded: { conversations: [{ id: `CON-${calls}` }] }, _links: next } };
    };
    const listed = await run('conversation:list');
    expect(listed.out).toEqual(['CON-1 |  | ', 'CON-2 |  | ']);
    expect(proxy.requests.map((r) => r.url)).toEqual([
      '/v1/conversations?page_size=100',
      '/v1/conversations?cursor=abc',
    ]);
  });

  it('stops with an error when a next link loops', async () => {
    const { proxy, run } = await fixture();
    proxy.intercept = () => ({
      status: 200,
      body: {
        _embedded: { conversations: [] },
        _links: { next: { href: '/v1/conversations?page_size=100' } },
      },
    });
    const listed = await run('conversation:list');
    expect(listed).toMatchObject({
      code: 2,
      err: [
        "Error: the server's next link loops back to /v1/conversations?page_size=100 (cli:error:unexpected-reply)",
      ],
    });
  });
});

describe('local problems', () => {
  it('tells to run parley setup when there is no config', async () => {
    const cwd = await tempDir();
    const rc = join(cwd, 'rc');
    for (const argv of [
      ['app:list'],
      ['app:create', 'A', 'http://a', 'http://e'],
      ['user:create', 'name=John'],
    ]) {
      expect(await runCli(argv, { cwd, rc })).toMatchObject({
        code: 1,
        out: [],
        err: [
          `Error: no Parley config at ${rc}; run \`parley setup API_KEY API_SECRET\` (cli:error:no-config)`,
        ],
      });
    }
  });

  it('tells to run parley app:create when no application is remembered', async () => {
    const { run } = await fixture({ withApp: false });
    const listed = await run('conversation:list');
    expect(listed).toMatchObject({
      code: 1,
      err: [
        'Error: no application is remembered; run `parley app:create NAME ANSWER_URL EVENT_URL --type=rtc --keyfile=private.key` or pass --app-id and --keyfile (cli:error:no-application)',
      ],
    });
  });

  it('signs with --app-id and --keyfile instead of the remembered application', async () => {
    const { proxy, where, run, appId } = await fixture();
    await writeConfig(where.rc, { ...(await readConfig(where.rc))!, app: undefined });
    expect((await run('user:list', '--app-id', appId, '--keyfile', 'private.key')).code).toBe(0);
    expect(proxy.requests[0]!.token?.claims.application_id).toBe(appId);
  });

  it('needs --keyfile with an --app-id that is not the remembered one, and an app id with --keyfile', async () => {
    const { where, run } = await fixture();
    expect(await run('user:list', '--app-id', 'other-app')).toMatchObject({
      code: 1,
      err: [
        "Error: --app-id other-app needs --keyfile with that application's private key (cli:error:no-application)",
      ],
    });
    await writeConfig(where.rc, { ...(await readConfig(where.rc))!, app: undefined });
    expect(await run('user:list', '--keyfile', 'private.key')).toMatchObject({
      code: 1,
      err: ['Error: --keyfile needs --app-id: no application is remembered (cli:error:no-application)'],
    });
  });

  it('reports a missing key file before calling the server', async () => {
    const { proxy, where, run } = await fixture();
    const keyfile = join(where.cwd, 'private.key');
    await rm(keyfile);
    expect(await run('conversation:create', 'display_name=x')).toMatchObject({
      code: 1,
      err: [`Error: cannot read key file ${keyfile}: ENOENT (cli:error:key-file)`],
    });
    expect(proxy.requests).toEqual([]);
  });
});
