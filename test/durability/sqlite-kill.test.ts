import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DurableSender } from '../support/durable-sender.js';
import { createProcessApp, startParleyProcess, type ParleyProcess } from '../support/parley-process.js';
import { signToken } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

const TOTAL = 10_000;
const SENDERS = 20;

describe('kill -9 of a SQLite server during a 10,000-message load', () => {
  let server: ParleyProcess | undefined;
  let dataDir: string;

  afterAll(async () => {
    await server?.kill();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it(
    'keeps every acknowledged message exactly once, and retries create no duplicates',
    { timeout: 180_000 },
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'parley-kill-'));
      server = await startParleyProcess({ dataDir });
      const port = server.port;
      const { app, post } = await createProcessApp(server.url, 'load');
      const admin = await signToken(app);
      const cid = (await post('/v1/conversations', { name: 'load' })).id;
      const senders: DurableSender[] = [];
      for (let i = 0; i < SENDERS; i++) {
        await post('/v1/users', { name: `u${i}` });
        await post(`/v1/conversations/${cid}/members`, { user: { name: `u${i}` }, state: 'JOINED' });
        senders.push(
          new DurableSender(
            () => server!.url,
            await signToken(app, { sub: `u${i}`, exp: Math.floor(Date.now() / 1000) + 3600 }),
            cid,
          ),
        );
      }

      const perSender = TOTAL / SENDERS;
      const runs = senders.map((s, i) => s.run(Array.from({ length: perSender }, (_, n) => `s${i}-m${n}`)));
      const ackedCount = () => senders.reduce((n, s) => n + s.acked.size, 0);
      await waitFor(() => ackedCount() >= TOTAL / 3, 60_000, 'a third of the texts acknowledged');

      const ackedBeforeKill = new Map(senders.flatMap((s) => [...s.acked]));
      expect(await server.kill('SIGKILL')).toBe('SIGKILL');
      server = await startParleyProcess({ dataDir, port });
      await Promise.all(runs);

      const events: { id: number; type: string; body: { text?: string } }[] = [];
      let next: string | undefined = `/v1/conversations/${cid}/events?page_size=100&event_type=text`;
      while (next) {
        const page = await (
          await fetch(`${server.url}${next}`, { headers: { authorization: `Bearer ${admin}` } })
        ).json();
        events.push(...page._embedded);
        next = page._links.next
          ? new URL(page._links.next.href).pathname + new URL(page._links.next.href).search
          : undefined;
      }
      const texts = events.map((e) => e.body.text!);
      expect(texts.length).toBe(TOTAL);
      expect(new Set(texts).size).toBe(TOTAL);
      const byText = new Map(events.map((e) => [e.body.text!, e.id]));
      for (const [ref, id] of ackedBeforeKill) expect(byText.get(ref)).toBe(id);
      for (const s of senders) for (const [ref, id] of s.acked) expect(byText.get(ref)).toBe(id);
      const all = events.map((e) => e.id);
      expect(all).toEqual([...all].sort((a, b) => a - b));
    },
  );
});
