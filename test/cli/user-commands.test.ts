import { describe, expect, it } from 'vitest';
import { useCliFixture } from './support/cli-fixture.js';

const fixture = useCliFixture();

describe('parley user:*', () => {
  it('creates the tutorial users and prints their ids', async () => {
    const { proxy, run } = await fixture();
    for (const name of ['John', 'Kevin', 'Larry']) {
      const created = await run('user:create', `name=${name}`);
      expect(created.code).toBe(0);
      expect(created.out).toHaveLength(1);
      expect(created.out[0]).toMatch(/^User created: USR-[0-9a-f-]{36}$/);
    }
    expect(proxy.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', '/v1/users', { name: 'John' }],
      ['POST', '/v1/users', { name: 'Kevin' }],
      ['POST', '/v1/users', { name: 'Larry' }],
    ]);
    expect(proxy.requests.every((r) => r.token !== undefined && r.token.claims.sub === undefined)).toBe(true);
  });

  it('sends display_name and prints the reply with --json', async () => {
    const { proxy, run } = await fixture();
    const created = await run('user:create', 'name=john', 'display_name=John Smith', '--json');
    expect(proxy.requests[0]!.body).toEqual({ name: 'john', display_name: 'John Smith' });
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'john', display_name: 'John Smith' });
  });

  it('needs a name', async () => {
    const { proxy, run } = await fixture();
    expect(await run('user:create', 'display_name=John')).toMatchObject({
      code: 1,
      err: ['Error: user:create needs name=… (cli:error:invalid-argument)'],
    });
    expect(proxy.requests).toEqual([]);
  });

  it('lists, shows and deletes users', async () => {
    const { proxy, run } = await fixture();
    const john = (await run('user:create', 'name=John')).out[0]!.split(': ')[1]!;
    await run('user:create', 'name=Kevin', 'display_name=Kev');
    proxy.requests.length = 0;
    const listed = await run('user:list');
    expect(listed.out).toEqual([`${john} | John | `, expect.stringMatching(/^USR-\S+ \| Kevin \| Kev$/)]);
    expect(proxy.requests[0]).toMatchObject({ method: 'GET', url: '/v1/users?page_size=100' });
    expect((await run('user:show', john)).out).toEqual([
      `id: ${john}`,
      'name: John',
      'display_name: null',
      'image_url: null',
      'properties: {"custom_data":{}}',
      'channels: {}',
    ]);
    expect(await run('user:delete', john)).toMatchObject({ code: 0, out: [`User deleted: ${john}`] });
    expect(await run('user:show', john)).toMatchObject({
      code: 2,
      err: [`Error: User ${john} not found (user:error:not-found)`],
    });
  });
});
