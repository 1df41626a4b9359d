import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli, type CliEnvironment } from './support/run-cli.js';
import { useTempDirs } from './support/temp-dir.js';

const tempDir = useTempDirs();
const somewhere = async (): Promise<CliEnvironment> => {
  const cwd = await tempDir();
  return { cwd, rc: join(cwd, 'rc') };
};

const VERBS = [
  'setup',
  'app:create',
  'app:list',
  'app:show',
  'app:delete',
  'app:update',
  'conversation:create',
  'conversation:list',
  'conversation:show',
  'conversation:delete',
  'user:create',
  'user:list',
  'user:show',
  'user:delete',
  'member:add',
  'member:list',
  'member:remove',
  'jwt:generate',
  'import',
  'export',
  'webhook:list',
  'webhook:replay',
  'serve',
];

describe('parley usage', () => {
  it('lists every command with --help and exits 0', async () => {
    const run = await runCli(['--help'], await somewhere());
    expect(run.code).toBe(0);
    expect(run.err).toEqual([]);
    expect(run.out[0]).toBe('Usage: parley [options] [command]');
    for (const verb of VERBS) expect(run.stdout).toMatch(new RegExp(`^  ${verb}\\b`, 'm'));
  });

  it.each(VERBS.filter((v) => v !== 'serve'))('explains %s with --help and exits 0', async (verb) => {
    const run = await runCli([verb, '--help'], await somewhere());
    expect(run.code).toBe(0);
    expect(run.err).toEqual([]);
    expect(run.out[0]).toMatch(new RegExp(`^Usage: parley ${verb} `));
    // These print a file or a token, which is already machine-readable.
    if (!['setup', 'jwt:generate', 'export'].includes(verb)) expect(run.stdout).toContain('--json');
  });

  it('shows the tutorial example in the help of the commands it uses', async () => {
    const run = await runCli(['member:add', '--help'], await somewhere());
    expect(run.stdout).toContain(
      `$ parley member:add CON-… action=join channel='{"type":"app"}' user_id=USR-…`,
    );
  });

  it('prints the package version with --version', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(await runCli(['--version'], await somewhere())).toMatchObject({
      code: 0,
      out: [pkg.version],
      err: [],
    });
  });

  it.each([
    [[], 'Error: no command given; see `parley --help` (cli:error:usage)'],
    [['bogus'], "Error: unknown command 'bogus' (cli:error:usage)"],
    [['app:show'], "Error: missing required argument 'id' (cli:error:usage)"],
    [
      ['app:show', 'a', 'b'],
      "Error: too many arguments for 'app:show'. Expected 1 argument but got 2. (cli:error:usage)",
    ],
    [['conversation:list', '--bogus'], "Error: unknown option '--bogus' (cli:error:usage)"],
    [['setup', 'KEY'], "Error: missing required argument 'api_secret' (cli:error:usage)"],
    [
      ['app:create', 'Simple Chat', 'http://a'],
      "Error: missing required argument 'event_url' (cli:error:usage)",
    ],
  ])('turns the usage error in %j into one line and exit 1', async (argv, line) => {
    const run = await runCli(argv, await somewhere());
    expect(run).toMatchObject({ code: 1, out: [], err: [line] });
  });

  it('suggests the closest command for a typo, still on one line', async () => {
    const run = await runCli(['conversation:creat'], await somewhere());
    expect(run.code).toBe(1);
    expect(run.err).toEqual([
      "Error: unknown command 'conversation:creat' (Did you mean conversation:create?) (cli:error:usage)",
    ]);
  });

  it('reports an unexpected exception as an internal error with exit 4, not as bad input', async () => {
    const err: string[] = [];
    const code = await main(['--version'], {
      out: () => {
        throw new Error('standard output is gone');
      },
      err: (line) => err.push(line),
      env: {},
      cwd: await tempDir(),
    });
    expect({ code, err }).toEqual({
      code: 4,
      err: ['Error: unexpected failure: standard output is gone (cli:error:internal)'],
    });
  });
});
