import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createProcessApp, startParleyProcess, type ParleyProcess } from '../support/parley-process.js';
import { nativeClient } from '../support/realtime-clients.js';
import { signToken } from '../support/test-server.js';

describe('SIGTERM', () => {
  let server: ParleyProcess | undefined;
  let dataDir = '';
  afterAll(async () => {
    if (server?.child.exitCode === null) await server.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers in-flight sends, tells clients to reconnect, and exits 0', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'parley-term-'));
    server = await startParleyProcess({ dataDir });
    const { app, post } = await createProcessApp(server.url, 'term');
    const cid = (await post('/v1/conversations', {})).id;
    await post('/v1/users', { name: 'u' });
    await post(`/v1/conversations/${cid}/members`, { user: { name: 'u' }, state: 'JOINED' });

    const client = await nativeClient(server.url);
    await client.request('session:login', { body: { token: await signToken(app, { sub: 'u' }) } });
    const sends = Array.from({ length: 50 }, (_, i) =>
      client.request('text', { cid, body: { text: `m${i}` } }),
    );
    const exited = server.kill('SIGTERM');
    const replies = await Promise.all(sends);
    // Each send was either committed and acknowledged, or refused as retryable: none is left unanswered.
    for (const r of replies) expect(['text:success', 'system:error:unavailable']).toContain(r.type);
    expect(replies.filter((r) => r.type === 'text:success').length).toBeGreaterThan(0);
    await client.waitFor((m) => m.type === 'session:reconnect');
    expect((await client.closed).code).toBe(1012);
    expect(await exited).toBe(0);
  });
});
