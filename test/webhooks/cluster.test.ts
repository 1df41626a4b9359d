import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DurableSender } from '../support/durable-sender.js';
import { createProcessApp, startParleyProcess, type ParleyProcess } from '../support/parley-process.js';
import { freshPostgresDatabase, redisUrl, serviceSkipReason } from '../support/services.js';
import { signToken, type TestApp } from '../support/test-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { SIGNATURE_SECRET, idsByConversation, range, verifies } from './helpers.js';

const skip = (await serviceSkipReason('postgres')) ?? (await serviceSkipReason('redis'));
const CONVERSATIONS = 3;
const PER_SENDER = 60;

/** Three `parley serve` processes on one PostgreSQL and one Redis (which this test never restarts). */
describe.skipIf(skip)('webhooks from a three-node cluster', () => {
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  const nodes: ParleyProcess[] = [];
  let receiver: WebhookReceiver;
  let app: TestApp;
  let post: (path: string, body: unknown) => Promise<{ id: string }>;
  const cids: string[] = [];
  const names: string[][] = [];

  const env = () => ({
    PARLEY_DATABASE_URL: db.url,
    PARLEY_REDIS_URL: redisUrl(),
    PARLEY_SIGNATURE_SECRET: SIGNATURE_SECRET,
    PARLEY_WEBHOOK_POLL_MS: '100',
    PARLEY_WEBHOOK_LEASE_MS: '2000',
    PARLEY_WEBHOOK_BACKOFF_MS: '50',
  });

  /** Every sender sends PER_SENDER texts through a node of its own (the first live one after it). */
  const burst = async (tag: string) => {
    const live = () => nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
    const senders: Promise<void>[] = [];
    let i = 0;
    for (const [c, cid] of cids.entries()) {
      for (const name of names[c]!) {
        const k = i++;
        const token = await signToken(app, { sub: name, exp: Math.floor(Date.now() / 1000) + 3600 });
        const sender = new DurableSender(() => live()[k % live().length]!.url, token, cid);
        senders.push(sender.run(Array.from({ length: PER_SENDER }, (_, n) => `${tag}-${name}-${n}`)));
      }
    }
    return Promise.all(senders);
  };

  const lastIds = async () => {
    const admin = await signToken(app);
    const last = new Map<string, number>();
    for (const cid of cids) {
      const res = await fetch(`${nodes[0]!.url}/v1/conversations/${cid}`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      last.set(cid, ((await res.json()) as { sequence_number: number }).sequence_number);
    }
    return last;
  };

  const allReceived = async () => {
    const last = await lastIds();
    await receiver.waitFor(
      () => {
        const ids = idsByConversation(receiver.received);
        return cids.every((cid) => (ids.get(cid)?.length ?? 0) >= last.get(cid)!);
      },
      60_000,
      'every committed event',
    );
    return last;
  };

  beforeAll(async () => {
    db = await freshPostgresDatabase();
    receiver = await new WebhookReceiver().start();
    // One after the other, so only the first migrates the fresh database.
    for (let i = 0; i < 3; i++) nodes.push(await startParleyProcess({ env: env() }));
    ({ app, post } = await createProcessApp(nodes[1]!.url, 'cluster-webhooks'));
    const put = await fetch(`${nodes[2]!.url}/v2/applications/${app.id}`, {
      method: 'PUT',
      headers: {
        authorization: `Basic ${Buffer.from('proc-key:proc-secret-1').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ capabilities: { rtc: { webhooks: { event_url: { address: receiver.url } } } } }),
    });
    expect(put.status).toBe(200);
    for (let c = 0; c < CONVERSATIONS; c++) {
      const cid = (await post('/v1/conversations', {})).id;
      cids.push(cid);
      names.push([`c${c}a`, `c${c}b`]);
      for (const name of names[c]!) {
        await post('/v1/users', { name });
        await post(`/v1/conversations/${cid}/members`, { user: { name }, state: 'JOINED' });
      }
    }
  }, 120_000);

  afterAll(async () => {
    for (const node of nodes) await node.kill();
    await receiver?.stop();
    await db?.drop();
  });

  it('delivers each event exactly once, in order, in the steady state', { timeout: 120_000 }, async () => {
    await burst('steady');
    const last = await allReceived();
    const ids = idsByConversation(receiver.received);
    for (const cid of cids) expect(ids.get(cid)).toEqual(range(1, last.get(cid)!));
    const deliveries = receiver.received.map((h) => h.headers['x-parley-delivery-id']);
    expect(new Set(deliveries).size).toBe(deliveries.length);
    expect(receiver.received.every((h) => verifies(h, SIGNATURE_SECRET))).toBe(true);
  });

  it(
    'still delivers everything, in order, after a node is killed mid-burst',
    { timeout: 120_000 },
    async () => {
      const before = receiver.received.length;
      const sending = burst('kill');
      await receiver.waitFor(() => receiver.received.length > before + 50);
      expect(await nodes[1]!.kill('SIGKILL')).toBe('SIGKILL');
      await sending;
      const last = await allReceived();
      const ids = idsByConversation(receiver.received);
      for (const cid of cids) expect(ids.get(cid)).toEqual(range(1, last.get(cid)!));
      // At least once: only what the dead node sent without settling (one batch per conversation) may repeat.
      const deliveries = receiver.received.map((h) => h.headers['x-parley-delivery-id']);
      expect(deliveries.length - new Set(deliveries).size).toBeLessThanOrEqual(50 * CONVERSATIONS);
    },
  );
});
