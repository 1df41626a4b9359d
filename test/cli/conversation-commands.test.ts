import { describe, expect, it } from 'vitest';
import { useCliFixture } from './support/cli-fixture.js';

const fixture = useCliFixture();

describe('parley conversation:*', () => {
  it('creates the tutorial conversation with an application token and prints its id', async () => {
    const { fake, run, appId } = await fixture();
    const before = Math.floor(Date.now() / 1000);
    const created = await run('conversation:create', 'display_name=Old School Chat');
    expect(created.code).toBe(0);
    expect(created.out).toHaveLength(1);
    expect(created.out[0]).toMatch(/^Conversation created: CON-[0-9a-f-]{36}$/);

    const [request] = fake.requests;
    expect(request).toMatchObject({
      method: 'POST',
      url: '/v1/conversations',
      body: { display_name: 'Old School Chat' },
    });
    expect(request!.token!.header).toEqual({ alg: 'RS256', typ: 'JWT' });
    const claims = request!.token!.claims;
    expect(Object.keys(claims).sort()).toEqual(['application_id', 'exp', 'iat', 'jti']);
    expect(claims.application_id).toBe(appId);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.exp).toBe(claims.iat! + 300);
    expect(claims.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sends name and image_url when given', async () => {
    const { fake, run } = await fixture();
    await run('conversation:create', 'name=chat', 'display_name=Chat', 'image_url=https://x/y.png');
    expect(fake.requests[0]!.body).toEqual({
      name: 'chat',
      display_name: 'Chat',
      image_url: 'https://x/y.png',
    });
  });

  it('lists every conversation by following the next links until they stop', async () => {
    const { fake, run } = await fixture();
    for (let i = 0; i < 5; i++) await run('conversation:create', `name=c${i}`, `display_name=Chat ${i}`);
    fake.pageLimit = 2;
    fake.requests.length = 0;
    const listed = await run('conversation:list');
    expect(listed.code).toBe(0);
    expect(listed.out).toHaveLength(5);
    expect(listed.out[0]).toMatch(/^CON-[0-9a-f-]{36} \| c0 \| Chat 0$/);
    expect(fake.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /v1/conversations?page_size=100',
      'GET /v1/conversations?page_size=2&cursor=2',
      'GET /v1/conversations?page_size=2&cursor=4',
    ]);
    expect(fake.requests.every((r) => r.token !== undefined)).toBe(true);
    const json = JSON.parse((await run('conversation:list', '--json')).stdout) as { name: string }[];
    expect(json.map((c) => c.name)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
  });

  it('follows next links on the configured server even when they name another host', async () => {
    const { fake, run } = await fixture();
    let calls = 0;
    fake.intercept = () => {
      calls++;
      const next =
        calls === 1 ? { next: { href: 'http://elsewhere.example/v1/conversations?cursor=abc' } } : {};
      return { status: 200, body: { _embedded: { conversations: [{ id: `CON-${calls}` }] }, _links: next } };
    };
    const listed = await run('conversation:list');
    expect(listed.out).toEqual(['CON-1 |  | ', 'CON-2 |  | ']);
    expect(fake.requests.map((r) => r.url)).toEqual([
      '/v1/conversations?page_size=100',
      '/v1/conversations?cursor=abc',
    ]);
  });

  it('stops with an error when a next link loops', async () => {
    const { fake, run } = await fixture();
    fake.intercept = () => ({
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

  it('shows and deletes a conversation', async () => {
    const { fake, run } = await fixture();
    const id = (await run('conversation:create', 'name=chat')).out[0]!.split(': ')[1]!;
    const shown = await run('conversation:show', id);
    expect(shown.out).toEqual([`id: ${id}`, 'name: chat']);
    expect(JSON.parse((await run('conversation:show', id, '--json')).stdout)).toEqual({ id, name: 'chat' });
    fake.requests.length = 0;
    const deleted = await run('conversation:delete', id);
    expect(deleted).toMatchObject({ code: 0, out: [`Conversation deleted: ${id}`] });
    expect(fake.requests[0]).toMatchObject({ method: 'DELETE', url: `/v1/conversations/${id}` });
    const other = (await run('conversation:create', 'name=other')).out[0]!.split(': ')[1]!;
    expect(JSON.parse((await run('conversation:delete', other, '--json')).stdout)).toEqual({
      id: other,
      deleted: true,
    });
  });

  it('reports an unknown conversation with the server detail and code, exit 2', async () => {
    const { run } = await fixture();
    for (const verb of ['conversation:show', 'conversation:delete']) {
      expect(await run(verb, 'CON-nope')).toMatchObject({
        code: 2,
        out: [],
        err: ['Error: Conversation not found (conversation:error:not-found)'],
      });
    }
  });

  it('rejects keys conversation:create does not take, before calling the server', async () => {
    const { fake, run } = await fixture();
    const created = await run('conversation:create', 'title=Chat');
    expect(created).toMatchObject({
      code: 1,
      err: [
        'Error: unknown key "title" for conversation:create (accepted: display_name, name, image_url) (cli:error:invalid-argument)',
      ],
    });
    expect(fake.requests).toEqual([]);
  });
});
