import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase, serviceSkipReason } from '../support/services.js';
import { startTestServer, type TestApp, type TestServer } from '../support/test-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import {
  SIGNATURE_SECRET,
  idsByConversation,
  lastEventId,
  range,
  sendText,
  setEventUrl,
  verifies,
} from './helpers.js';

const skip = await serviceSkipReason('postgres');
const ROUNDS = 40;

describe.skipIf(skip !== undefined)('webhooks on PostgreSQL with two nodes', () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let nodes: TestServer[] = [];
  let receiver: WebhookReceiver;
  let app: TestApp;

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    receiver = await new WebhookReceiver().start();
    const config = {
      databaseUrl: database.url,
      signatureSecret: SIGNATURE_SECRET,
      webhookPollMs: 20,
      webhookLeaseMs: 1_000,
    };
    // Started one after the other, so only one of them migrates the fresh database.
    nodes = [await startTestServer(config)];
    nodes.push(await startTestServer(config));
    app = await nodes[0]!.createApp('Two nodes');
    await setEventUrl(nodes[0]!, app, receiver.url);
  });

  afterAll(async () => {
    for (const node of nodes) await node.stop();
    await receiver?.stop();
    await database?.drop();
  });

  it('delivers each event once, in order, while both dispatchers compete for every conversation', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const rooms = [await a.createRoom(app, ['ann', 'bob']), await b.createRoom(app, ['cid', 'dee'])];
    const sends: Promise<number>[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Each node commits to both conversations: each wakes its own dispatcher, the other finds them by scan.
      sends.push(
        sendText(a, app, rooms[0]!.cid, 'ann', `a${i}`),
        sendText(b, app, rooms[0]!.cid, 'bob', `b${i}`),
      );
      sends.push(
        sendText(b, app, rooms[1]!.cid, 'cid', `c${i}`),
        sendText(a, app, rooms[1]!.cid, 'dee', `d${i}`),
      );
    }
    await Promise.all(sends);
    const last = new Map<string, number>();
    for (const room of rooms) last.set(room.cid, await lastEventId(nodes[0]!, app, room.cid));
    await receiver.waitFor(() => {
      const ids = idsByConversation(receiver.received);
      return [...last].every(([cid, n]) => ids.get(cid)?.length === n);
    });
    const ids = idsByConversation(receiver.received);
    for (const [cid, n] of last) expect(ids.get(cid)).toEqual(range(1, n));
    const deliveryIds = receiver.received.map((h) => h.headers['x-parley-delivery-id']);
    expect(new Set(deliveryIds).size).toBe(deliveryIds.length);
    expect(receiver.received.every((h) => verifies(h, SIGNATURE_SECRET))).toBe(true);
  });

  it("takes over a dead node's lease once it expires", async () => {
    const [a] = nodes as [TestServer];
    const room = await a.createRoom(app, ['eve']);
    const before = receiver.received.length;
    const joined = await lastEventId(a, app, room.cid);
    await receiver.waitFor(() => idsByConversation(receiver.received).get(room.cid)?.length === joined);
    // A node that died holding this conversation's lease for another second.
    const leased = performance.now();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(
        `update webhook_cursors set lease_owner = 'dead-node', lease_until = $2 where conversation_id = $1`,
        [room.cid, new Date(Date.now() + 1_000).toISOString()],
      );
    } finally {
      await client.end();
    }
    const id = await sendText(a, app, room.cid, 'eve', 'after the death');
    await receiver.waitFor(() =>
      receiver.received.some((h) => h.body.conversation_id === room.cid && h.body.id === id),
    );
    const late = receiver.received
      .slice(before)
      .find((h) => h.body.id === id && h.body.conversation_id === room.cid)!;
    expect(late.body.body).toEqual({ text: 'after the death' });
    expect(late.at - leased).toBeGreaterThanOrEqual(950);
  });
});
