import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { FAKE_API_KEY, FAKE_API_SECRET, startFakeParley, type FakeParley } from './fake-parley.js';
import { runCli, type CliEnvironment, type CliRun } from './run-cli.js';
import { useTempDirs } from './temp-dir.js';

export interface CliFixture {
  fake: FakeParley;
  where: CliEnvironment;
  run: (...argv: string[]) => Promise<CliRun>;
}

/** Per test: a fake Parley, a temp working directory and rc file, and (optionally) a created app. */
export const useCliFixture = (): ((options?: {
  withApp?: boolean;
}) => Promise<CliFixture & { appId: string }>) => {
  const tempDir = useTempDirs();
  const fakes: FakeParley[] = [];
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });
  return async ({ withApp = true } = {}) => {
    const fake = await startFakeParley();
    fakes.push(fake);
    const cwd = await tempDir();
    const where = { cwd, rc: join(cwd, 'parleyrc.json') };
    const run = (...argv: string[]) => runCli(argv, where);
    expect((await run('setup', FAKE_API_KEY, FAKE_API_SECRET, '--url', fake.url)).code).toBe(0);
    let appId = '';
    if (withApp) {
      const created = await run(
        'app:create',
        'Simple Chat',
        'https://example.com/a',
        'https://example.com/e',
      );
      expect(created.code).toBe(0);
      appId = [...fake.apps.keys()][0]!;
      fake.requests.length = 0;
    }
    return { fake, where, run, appId };
  };
};
