/**
 * Does a webhook receiver that never answers change the send latency of everyone else? Runs the same load
 * (rooms of three users sending texts over the native transport, each awaiting its acknowledgement) against
 * a fresh SQLite server three times: without an event URL, with a receiver that answers 200 at once, and with
 * one that accepts connections and never answers. Prints the acknowledgement latency of each.
 *
 *   npm run bench:webhooks
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import WebSocket from 'ws';
import { resolveServerConfig } from '../../src/server/config.js';
import { startParley } from '../../src/server/parley-server.js';

const ROOMS = Number(process.env.ROOMS ?? 20);
const TEXTS = Number(process.env.TEXTS ?? 100);
const KEY = 'bench-key';
const SECRET = 'bench-secret-1';

type Mode = 'no event URL' | 'receiver answers 200' | 'receiver never answers';

async function receiver(mode: Mode): Promise<{ url: string | undefined; close(): Promise<void> }> {
  if (mode === 'no event URL') return { url: undefined, close: () => Promise.resolve() };
  const sockets = new Set<Socket>();
  const server: Server =
    mode === 'receiver answers 200'
      ? createHttpServer((req, res) => req.resume().on('end', () => res.end('ok')))
      : createTcpServer((socket) => {
          sockets.add(socket);
          socket.on('error', () => undefined);
        });
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/event`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function run(mode: Mode): Promise<number[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-bench-webhooks-'));
  const hooks = await receiver(mode);
  const config = {
    ...resolveServerConfig({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent' }, {}),
    apiKey: KEY,
    apiSecret: SECRET,
    signatureSecret: 'bench-signature-secret-0123456789',
  };
  const server = await startParley(config);
  try {
    const basic = `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`;
    const keys = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const capabilities = hooks.url ? { rtc: { webhooks: { event_url: { address: hooks.url } } } } : {};
    const created = await fetch(`${server.url}/v2/applications`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', keys: { public_key: keys.publicKey }, capabilities }),
    });
    const appId = ((await created.json()) as { id: string }).id;
    const key = await importPKCS8(keys.privateKey, 'RS256');
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT({ application_id: appId, jti: randomUUID(), ...claims })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key);
    const admin = await sign({});
    const post = async (path: string, body: unknown) =>
      (await (
        await fetch(`${server.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as { id: string };

    const senders: { name: string; cid: string; member: string }[] = [];
    for (let r = 0; r < ROOMS; r++) {
      const cid = (await post('/v1/conversations', {})).id;
      for (let u = 0; u < 3; u++) {
        const name = `r${r}u${u}`;
        await post('/v1/users', { name });
        const member = (await post(`/v1/conversations/${cid}/members`, { user: { name }, state: 'JOINED' }))
          .id;
        senders.push({ name, cid, member });
      }
    }
    const latencies: number[] = [];
    await Promise.all(
      senders.map(async ({ name, cid, member }) => {
        const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws`);
        const waiting = new Map<string, () => void>();
        ws.on('message', (data: Buffer) => {
          const m = JSON.parse(data.toString()) as { rid?: string };
          if (m.rid) waiting.get(m.rid)?.();
        });
        await new Promise((resolve) => ws.once('open', resolve));
        const request = (type: string, fields: Record<string, unknown>) =>
          new Promise<void>((resolve) => {
            const tid = randomUUID();
            waiting.set(tid, resolve);
            ws.send(JSON.stringify({ type, tid, ...fields }));
          });
        await request('session:login', { body: { token: await sign({ sub: name }) } });
        for (let i = 0; i < TEXTS; i++) {
          const started = performance.now();
          await request('text', { cid, from: member, body: { text: `${name} ${i}` } });
          latencies.push(performance.now() - started);
        }
        ws.close();
      }),
    );
    return latencies.sort((a, b) => a - b);
  } finally {
    await server.close();
    await hooks.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const pct = (sorted: number[], p: number): string =>
  (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0).toFixed(2);

const modes: Mode[] = ['no event URL', 'receiver answers 200', 'receiver never answers'];
console.log(`${ROOMS} rooms × 3 users × ${TEXTS} texts each, acknowledgement latency in ms`);
console.log('| receiver | sends | p50 | p95 | p99 | max |');
console.log('| --- | --- | --- | --- | --- | --- |');
// Interleaved repetitions, after a warm-up run, so that machine noise and JIT warm-up spread over all modes.
await run('no event URL');
const reps = Number(process.env.REPS ?? 2);
for (const mode of Array.from({ length: reps }, () => modes).flat()) {
  const l = await run(mode);
  console.log(`| ${mode} | ${l.length} | ${pct(l, 50)} | ${pct(l, 95)} | ${pct(l, 99)} | ${pct(l, 100)} |`);
}
