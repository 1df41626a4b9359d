import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { readConfig } from '../../../src/cli/config.js';
import { API_KEY, API_SECRET, startTestServer, type TestServer } from '../../support/test-server.js';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.js';
import { runCli, type CliEnvironment, type CliRun } from './run-cli.js';
import { useTempDirs } from './temp-dir.js';

export interface CliFixture {
  /** The real Parley (SQLite, port 0) the CLI talks to. */
  server: TestServer;
  /** What the CLI sent, on its way to `server`; its `intercept` is for failure injection only. */
  proxy: RecordingProxy;
  where: CliEnvironment;
  run: (...argv: string[]) => Promise<CliRun>;
}

/** Per test: a real Parley behind a recording proxy, a temp working directory and rc file, and (optionally) an app. */
export const useCliFixture = (): ((options?: {
  withApp?: boolean;
}) => Promise<CliFixture & { appId: string }>) => {
  const tempDir = useTempDirs();
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });
  return async ({ withApp = true } = {}) => {
    const server = await startTestServer();
    const proxy = await startRecordingProxy(server.url);
    cleanups.push(async () => {
      await proxy.close();
      await server.stop();
    });
    const cwd = await tempDir();
    const where = { cwd, rc: join(cwd, 'parleyrc.json') };
    const run = (...argv: string[]) => runCli(argv, where);
    expect((await run('setup', API_KEY, API_SECRET, '--url', proxy.url)).code).toBe(0);
    let appId = '';
    if (withApp) {
      const created = await run(
        'app:create',
        'Simple Chat',
        'https://example.com/a',
        'https://example.com/e',
      );
      expect(created.code).toBe(0);
      appId = (await readConfig(where.rc))!.app!.id;
      proxy.requests.length = 0;
    }
    return { server, proxy, where, run, appId };
  };
};
