import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signToken } from '../../src/core/auth/sign-token.js';
import { useCliFixture } from './support/cli-fixture.js';

const fixture = useCliFixture();

describe('parley conversation:*', () => {
  it('creates the tutorial conversation with an application token and prints its id', async () => {
    const { proxy, run, appId } = await fixture();
    const before = Math.floor(Date.now() / 1000);
    const created = await run('conversation:create', 'display_name=Old School Chat');
    expect(created.code).toBe(0);
    expect(created.out).toHaveLength(1);
    expect(created.out[0]).toMatch(/^Conversation created: CON-[0-9a-f-]{36}$/);

    const [request] = proxy.requests;
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
    const { proxy, run } = await fixture();
    await run('conversation:create', 'name=chat', 'display_name=Chat', 'image_url=https://x/y.png');
    expect(proxy.requests[0]!.body).toEqual({
      name: 'chat',
      display_name: 'Chat',
      image_url: 'https://x/y.png',
    });
  });

  it('lists every conversation by following the next links until they stop', async () => {
    const { server, proxy, where, run, appId } = await fixture();
    // One more than the largest page, so the list takes two.
    const privateKey = await readFile(join(where.cwd, 'private.key'), 'utf8');
    const token = signToken(privateKey, { application_id: appId }, { ttlSeconds: 300 });
    for (let i = 0; i <= 100; i++) {
      const body = { name: `c${String(i).padStart(3, '0')}`, display_name: `Chat ${i}` };
      expect((await server.call('POST', '/v1/conversations', { token, body })).status).toBe(201);
    }
    const listed = await run('conversation:list');
    expect(listed.code).toBe(0);
    expect(listed.out).toHaveLength(101);
    expect(listed.out[0]).toMatch(/^CON-[0-9a-f-]{36} \| c000 \| Chat 0$/);
    expect(listed.out[100]).toMatch(/^CON-[0-9a-f-]{36} \| c100 \| Chat 100$/);
    expect(proxy.requests.map((r) => `${r.method} ${r.url.replace(/cursor=[^&]+/, 'cursor=…')}`)).toEqual([
      'GET /v1/conversations?page_size=100',
      'GET /v1/conversations?page_size=100&cursor=…',
    ]);
    expect(proxy.requests.every((r) => r.token !== undefined)).toBe(true);
    const json = JSON.parse((await run('conversation:list', '--json')).stdout) as { name: string }[];
    expect(json.map((c) => c.name)).toHaveLength(101);
  });

  it('shows and deletes a conversation', async () => {
    const { proxy, run } = await fixture();
    const id = (await run('conversation:create', 'name=chat')).out[0]!.split(': ')[1]!;
    const shown = await run('conversation:show', id);
    expect(shown.out.slice(0, 4)).toEqual([
      `id: ${id}`,
      'name: chat',
      'display_name: null',
      'image_url: null',
    ]);
    expect(shown.out).toContain('state: ACTIVE');
    expect(shown.out.some((l) => l.startsWith('_links'))).toBe(false);
    const json = JSON.parse((await run('conversation:show', id, '--json')).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ id, name: 'chat', state: 'ACTIVE', _links: expect.any(Object) });
    proxy.requests.length = 0;
    const deleted = await run('conversation:delete', id);
    expect(deleted).toMatchObject({ code: 0, out: [`Conversation deleted: ${id}`] });
    expect(proxy.requests[0]).toMatchObject({ method: 'DELETE', url: `/v1/conversations/${id}` });
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
        err: ['Error: Conversation CON-nope not found (conversation:error:not-found)'],
      });
    }
  });

  it('rejects keys conversation:create does not take, before calling the server', async () => {
    const { proxy, run } = await fixture();
    const created = await run('conversation:create', 'title=Chat');
    expect(created).toMatchObject({
      code: 1,
      err: [
        'Error: unknown key "title" for conversation:create (accepted: display_name, name, image_url) (cli:error:invalid-argument)',
      ],
    });
    expect(proxy.requests).toEqual([]);
  });
});
