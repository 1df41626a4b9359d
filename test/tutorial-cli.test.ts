import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeClient } from './support/realtime-clients.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');

/** The README's walkthrough: every bash block between the walkthrough markers, in order. */
async function walkthroughScript(): Promise<string> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.split('<!-- walkthrough:start -->')[1]?.split('<!-- walkthrough:end -->')[0];
  if (!section) throw new Error('README.md has no walkthrough section');
  return [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
}

describe("the README's tutorial walkthrough, run verbatim through bin/parley", () => {
  let server: TestServer;
  let work: string;
  let output: string;
  let vars: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer({ apiKey: 'my-api-key', apiSecret: 'my-api-secret' });
    work = await mkdtemp(join(tmpdir(), 'parley-walkthrough-'));
    const script = (await walkthroughScript()).replaceAll('http://localhost:3000', server.url);
    const { stdout } = await run(
      'bash',
      [
        '-euo',
        'pipefail',
        '-c',
        `${script}\necho\necho "VARS APP_ID=$APP_ID CONV_ID=$CONV_ID USER_JWT=$USER_JWT USER2_JWT=$USER2_JWT USER3_JWT=$USER3_JWT"`,
      ],
      {
        cwd: work,
        env: {
          ...process.env,
          PATH: `${join(root, 'bin')}:${process.env.PATH}`,
          HOME: work,
          PARLEY_RC: join(work, '.parleyrc'),
        },
      },
    );
    output = stdout;
    const line = stdout.split('\n').find((l) => l.startsWith('VARS '));
    vars = Object.fromEntries(
      (line ?? '')
        .slice(5)
        .split(' ')
        .map((kv) => kv.split('=', 2) as [string, string]),
    );
  }, 120_000);

  afterAll(async () => {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('creates the application with a private key readable only by its owner', async () => {
    expect(vars.APP_ID).toMatch(/^[0-9a-f-]{36}$/);
    expect((await stat(join(work, 'private.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(work, '.parleyrc'))).mode & 0o777).toBe(0o600);
  });

  it('creates the conversation and three joined members', () => {
    expect(vars.CONV_ID).toMatch(/^CON-/);
    for (const name of ['John', 'Kevin', 'Larry']) expect(output).toContain(name);
    const me = JSON.parse(output.split('\n').find((l) => l.startsWith('{"id":"MEM-')) ?? '{}');
    expect(me).toMatchObject({ state: 'JOINED', _embedded: { user: { name: 'John' } } });
  });

  it('generates tutorial JWTs that log each user in over realtime', async () => {
    for (const [token, name] of [
      [vars.USER_JWT, 'John'],
      [vars.USER2_JWT, 'Kevin'],
      [vars.USER3_JWT, 'Larry'],
    ] as const) {
      const header = JSON.parse(Buffer.from(token!.split('.')[0]!, 'base64url').toString());
      expect(header).toEqual({ alg: 'RS256', typ: 'JWT' });
      const client = await nativeClient(server.url);
      const reply = await client.request('session:login', { body: { token } });
      expect(reply).toMatchObject({ type: 'session:success', body: { name } });
      const convs = await client.request('user:conversations');
      expect(convs.body).toEqual([expect.objectContaining({ id: vars.CONV_ID, state: 'JOINED' })]);
      client.close();
    }
  });
});
