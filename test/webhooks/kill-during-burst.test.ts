import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DurableSender } from '../support/durable-sender.js';
import { createProcessApp, startParleyProcess, type ParleyProcess } from '../support/parley-process.js';
import { signToken } from '../support/test-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { SIGNATURE_SECRET, idsByConversation, range, verifies } from './helpers.js';

const TOTAL = 2_000;
const SENDERS_PER_CONVERSATION = 5;
const CONVERSATIONS = 2;

const env = {
  PARLEY_SIGNATURE_SECRET: SIGNATURE_SECRET,
  PARLEY_WEBHOOK_POLL_MS: '200',
  PARLEY_WEBHOOK_BACKOFF_MS: '50',
  PARLEY_WEBHOOK_BACKOFF_MAX_MS: '500',
};

describe('kill -9 of the server during a burst of sends', () => {
  let server: ParleyProcess | undefined;
  let receiver: WebhookReceiver | undefined;
  let dataDir: string;

  afterAll(async () => {
    await server?.kill();
    await receiver?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it(
    'delivers every committed event after the restart, with no gaps in any conversation',
    { timeout: 180_000 },
    async () => {
      receiver = await new WebhookReceiver().start();
      dataDir = await mkdtemp(join(tmpdir(), 'parley-webhook-kill-'));
      server = await startParleyProcess({ dataDir, env });
      const port = server.port;
      const { app, post } = await createProcessApp(server.url, 'webhook-kill');
      const basic = `Basic ${Buffer.from('proc-key:proc-secret-1').toString('base64')}`;
      const put = await fetch(`${server.url}/v2/applications/${app.id}`, {
        method: 'PUT',
        headers: { authorization: basic, 'content-type': 'application/json' },
        body: JSON.stringify({
          capabilities: { rtc: { webhooks: { event_url: { address: receiver.url } } } },
        }),
      });
      expect(put.status).toBe(200);

      const cids: string[] = [];
      const senders: DurableSender[] = [];
      for (let c = 0; c < CONVERSATIONS; c++) {
        const cid = (await post('/v1/conversations', { name: `burst-${c}` })).id;
        cids.push(cid);
        for (let i = 0; i < SENDERS_PER_CONVERSATION; i++) {
          const name = `c${c}u${i}`;
          await post('/v1/users', { name });
          await post(`/v1/conversations/${cid}/members`, { user: { name }, state: 'JOINED' });
          const token = await signToken(app, { sub: name, exp: Math.floor(Date.now() / 1000) + 3600 });
          senders.push(new DurableSender(() => server!.url, token, cid));
        }
      }
      const perSender = TOTAL / senders.length;
      const runs = senders.map((s, i) => s.run(Array.from({ length: perSender }, (_, n) => `s${i}-m${n}`)));
      const acked = () => senders.reduce((n, s) => n + s.acked.size, 0);
      while (acked() < TOTAL / 3) await new Promise((r) => setTimeout(r, 10));
      expect(await server.kill('SIGKILL')).toBe('SIGKILL');
      server = await startParleyProcess({ dataDir, port, env });
      await Promise.all(runs);

      const admin = await signToken(app);
      const last = new Map<string, number>();
      for (const cid of cids) {
        const res = await fetch(`${server.url}/v1/conversations/${cid}`, {
          headers: { authorization: `Bearer ${admin}` },
        });
        last.set(cid, ((await res.json()) as { sequence_number: number }).sequence_number);
      }
      await receiver.waitFor(
        () => {
          const ids = idsByConversation(receiver!.received);
          return cids.every((cid) => (ids.get(cid)?.length ?? 0) >= last.get(cid)!);
        },
        120_000,
        'every committed event',
      );
      const ids = idsByConversation(receiver.received);
      for (const cid of cids) {
        expect(last.get(cid)).toBeGreaterThan(TOTAL / CONVERSATIONS);
        expect(ids.get(cid)).toEqual(range(1, last.get(cid)!));
      }
      expect(receiver.received.every((hook) => verifies(hook, SIGNATURE_SECRET))).toBe(true);
    },
  );
});
