import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DurableReceiver } from '../support/durable-receiver.js';
import { DurableSender } from '../support/durable-sender.js';
import { createProcessApp, startParleyProcess, type ParleyProcess } from '../support/parley-process.js';
import { nativeClient, socketIoClient, type RawClient } from '../support/realtime-clients.js';
import { freshPostgresDatabase, redisUrl, serviceSkipReason } from '../support/services.js';
import { signToken, type TestApp } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

const skip = (await serviceSkipReason('postgres')) ?? (await serviceSkipReason('redis'));

/** Several real `parley serve` processes on one PostgreSQL and one Redis. */
describe.skipIf(skip)('a cluster of nodes on PostgreSQL and Redis', () => {
  let db: { url: string; drop(): Promise<void> };
  const nodes: ParleyProcess[] = [];
  let app: TestApp;
  let post: (path: string, body: unknown) => Promise<{ id: string }>;
  const clients: RawClient[] = [];

  const startNode = async () => {
    const node = await startParleyProcess({
      env: { PARLEY_DATABASE_URL: db.url, PARLEY_REDIS_URL: redisUrl() },
    });
    nodes.push(node);
    return node;
  };
  const conversationWith = async (names: string[]) => {
    const cid = (await post('/v1/conversations', {})).id;
    for (const name of names) {
      await post('/v1/users', { name });
      await post(`/v1/conversations/${cid}/members`, { user: { name }, state: 'JOINED' });
    }
    return cid;
  };
  const token = (name: string) => signToken(app, { sub: name, exp: Math.floor(Date.now() / 1000) + 3600 });

  beforeAll(async () => {
    db = await freshPostgresDatabase();
    for (let i = 0; i < 3; i++) await startNode();
    ({ app, post } = await createProcessApp(nodes[0]!.url, 'cluster'));
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
    await db?.drop();
  });

  it('lets users on different nodes chat, all seeing the same ordered history', async () => {
    const cid = await conversationWith(['n-ann', 'n-ben', 'n-cat']);
    const people = [
      { name: 'n-ann', client: await nativeClient(nodes[0]!.url) },
      { name: 'n-ben', client: await socketIoClient(nodes[1]!.url) },
      { name: 'n-cat', client: await nativeClient(nodes[2]!.url) },
    ];
    for (const p of people) {
      clients.push(p.client);
      expect((await p.client.request('session:login', { body: { token: await token(p.name) } })).type).toBe(
        'session:success',
      );
    }
    const acks = await Promise.all(
      people.flatMap((p) =>
        Array.from({ length: 20 }, (_, i) =>
          p.client.request('text', { cid, body: { text: `${p.name} ${i}` } }),
        ),
      ),
    );
    const ids = acks.map((a) => (a.body as { id: number }).id).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 60 }, (_, i) => ids[0]! + i));
    for (const p of people) {
      await p.client.waitFor((m) => m.type === 'text' && m.id === ids[59], 10_000);
      expect(p.client.pushed.filter((m) => m.type === 'text' && m.cid === cid).map((m) => m.id)).toEqual(ids);
    }
    const typing = people[2]!.client.waitFor((m) => m.type === 'text:typing:on' && m.cid === cid);
    await people[0]!.client.request('text:typing:on', { cid, body: { activity: 1 } });
    await typing;
  });

  it(
    'moves the clients of a SIGKILLed node to another, which delivers every missed event once, in order',
    { timeout: 300_000 },
    async () => {
      const cid = await conversationWith(['k-send1', 'k-send2', 'k-recv1', 'k-recv2']);
      const victim = nodes[1]!;
      const senders = [
        new DurableSender(() => nodes[0]!.url, await token('k-send1'), cid, 5),
        new DurableSender(() => nodes[2]!.url, await token('k-send2'), cid, 5),
      ];
      // Receivers start on the victim and, once it is gone, go to the next live node.
      const liveUrl = () =>
        victim.child.exitCode === null && victim.child.signalCode === null ? victim.url : nodes[2]!.url;
      const receivers = [
        new DurableReceiver(liveUrl, await token('k-recv1'), cid),
        new DurableReceiver(liveUrl, await token('k-recv2'), cid),
      ];
      await Promise.all(receivers.map((r) => r.start()));
      const total = 400;
      const runs = senders.map((s, i) => s.run(Array.from({ length: total / 2 }, (_, n) => `k${i}-${n}`)));
      await waitFor(
        () => senders.reduce((n, s) => n + s.acked.size, 0) >= total / 3,
        60_000,
        'a third of the texts acknowledged',
      );
      await victim.kill('SIGKILL');
      await Promise.all(runs);
      const acked = senders.flatMap((s) => [...s.acked.values()]).sort((a, b) => a - b);
      await waitFor(
        () => receivers.every((r) => r.ids.length >= total),
        120_000,
        'every receiver to have every text',
      );
      for (const r of receivers) {
        expect(r.reconnects).toBeGreaterThan(0);
        expect(r.ids).toEqual(acked);
        r.stop();
      }
    },
  );

  it('resumes delivery after Redis restarts, losing nothing', { timeout: 300_000 }, async () => {
    const cid = await conversationWith(['r-send', 'r-recv']);
    const sender = new DurableSender(() => nodes[0]!.url, await token('r-send'), cid, 5);
    const receiver = new DurableReceiver(() => nodes[2]!.url, await token('r-recv'), cid);
    await receiver.start();
    const total = 600;
    const run = sender.run(Array.from({ length: total }, (_, n) => `r-${n}`));
    await waitFor(() => sender.acked.size >= total / 3, 60_000, 'a third of the texts acknowledged');
    await restartRedis();
    await run;
    await waitFor(() => receiver.ids.length >= total, 120_000, 'the receiver to have every text');
    expect(receiver.ids).toEqual([...sender.acked.values()].sort((a, b) => a - b));
    expect(receiver.reconnects).toBe(0);
    expect(nodes[2]!.output()).toContain('redis bus reconnected: resyncing from the store');
    receiver.stop();
  });
});

/** Stops the machine's Redis and starts it again the way the machine does. */
async function restartRedis(): Promise<void> {
  try {
    execFileSync('redis-cli', ['-h', '127.0.0.1', 'shutdown', 'nosave']);
  } catch {
    // redis-cli reports the connection closing under it; the server is down either way.
  }
  execFileSync('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '-::1',
    '--port',
    '6379',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    '/var/lib/redis',
    '--logfile',
    '/var/log/redis/ci.log',
  ]);
  const answers = () => {
    try {
      return execFileSync('redis-cli', ['-h', '127.0.0.1', 'ping']).toString().trim() === 'PONG';
    } catch {
      return false; // not up yet
    }
  };
  await waitFor(answers, 5000, 'redis to come back');
}
