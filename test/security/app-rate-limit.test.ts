import { afterEach, describe, expect, it } from 'vitest';
import { appToken, startTestServer, userToken, type TestServer } from '../support/test-server.js';

/** Runs `task(i)` for i in [0, count) with at most `width` in flight, as a provisioning backend would. */
async function inFlight<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}

describe('the REST rate limit of application tokens', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('lets a backend create 1,000 users with 32 requests in flight at the default settings', async () => {
    // The users' limit is set to nothing, to show an application token does not draw on it.
    server = await startTestServer({ userRateLimit: 1 });
    const app = await server.createApp();
    const token = await appToken(app);
    const statuses = await inFlight(1000, 32, async (i) => {
      const res = await server!.call('POST', '/v1/users', { token, body: { name: `user-${i}` } });
      return res.status;
    });
    expect(statuses.filter((status) => status !== 201)).toEqual([]);
  });

  it('refuses past a low configured limit with 429 and when to retry, per application and apart from users', async () => {
    server = await startTestServer({ appRateLimit: 1, userRateLimit: 1000 });
    const app = await server.createApp();
    const other = await server.createApp('Other');
    const token = await appToken(app);
    // A burst of twice the rate is allowed, then the bucket is empty.
    for (let i = 0; i < 2; i++) expect((await server.call('GET', '/v1/users', { token })).status).toBe(200);
    const refused = await server.call('GET', '/v1/users', { token });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as { code: string; retry_after: number };
    expect(body.code).toBe('system:error:rate-limited');
    expect(body.retry_after).toBeGreaterThan(0);

    // Another application, and this application's users, have buckets of their own.
    expect((await server.call('GET', '/v1/users', { token: await appToken(other) })).status).toBe(200);
    await server.call('POST', '/v1/users', { token: await appToken(other), body: { name: 'amy' } });
    const user = await userToken(other, 'amy');
    expect((await server.call('GET', '/v1/conversations', { token: user })).status).toBe(200);
  });
});
