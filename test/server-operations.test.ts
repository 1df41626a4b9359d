import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';

describe('demo mode', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ demo: true });
  });
  afterAll(() => server.stop());

  it("seeds the tutorial's application, conversation and joined users", async () => {
    const config = await (await fetch(`${server.url}/demo/config`)).json();
    expect(config.users).toEqual(['John', 'Kevin', 'Larry']);
    const { token } = await (await server.call('POST', '/demo/token', { body: { name: 'john' } })).json();
    const members = await (
      await server.call('GET', `/v1/conversations/${config.conversation_id}/members?page_size=10`, { token })
    ).json();
    expect(
      members._embedded.members
        .map((m: { _embedded: { user: { name: string } } }) => m._embedded.user.name)
        .sort(),
    ).toEqual(['John', 'Kevin', 'Larry']);
    const conv = await (
      await server.call('GET', `/v1/conversations/${config.conversation_id}`, { token })
    ).json();
    expect(conv.display_name).toBe('Old School Chat');
  });

  it('signs short-lived tokens only for demo users', async () => {
    const res = await server.call('POST', '/demo/token', { body: { name: 'Mallory' } });
    expect(res.status).toBe(404);
    expect((await res.json()).code).toBe('user:error:not-found');
    const ok = await (await server.call('POST', '/demo/token', { body: { name: 'Kevin' } })).json();
    expect(ok.expires_at - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(3600);
  });

  it('seeds once: a restart on the same data reuses the demo', async () => {
    const before = await (await fetch(`${server.url}/demo/config`)).json();
    const again = await startTestServer({ demo: true, dataDir: server.dataDir });
    try {
      expect(await (await fetch(`${again.url}/demo/config`)).json()).toEqual(before);
    } finally {
      await again.close();
    }
  });
});

describe('without demo mode', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('never issues user tokens', async () => {
    expect((await server.call('POST', '/demo/token', { body: { name: 'John' } })).status).toBe(404);
    expect((await fetch(`${server.url}/demo/config`)).status).toBe(404);
  });

  it('exposes Prometheus metrics', async () => {
    await fetch(`${server.url}/healthz`);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/parley_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(text).toContain('parley_realtime_sessions 0');
    expect(text).toContain('parley_process_resident_memory_bytes');
  });

  it('serves the web app and the SDK bundle, the page with a strict content security policy', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const sdk = await fetch(`${server.url}/sdk/conversationClient.js`);
    expect(sdk.status).toBe(200);
    expect(await sdk.text()).toContain('ConversationClient');
  });
});
