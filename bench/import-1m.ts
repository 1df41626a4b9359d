import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { join, resolve, dirname } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { BENCH_API_KEY, BENCH_API_SECRET, ParleyAdmin } from './lib/parley-admin.js';
import { rssBytes } from './lib/proc-stats.js';
import { startParley } from './lib/servers.js';

/*
 * `parley import` at scale: generates a dump of one conversation with N text events (1,000,000 unless
 * `--events N`), imports it into a Parley server process (SQLite, or PostgreSQL with `--database-url URL`, a
 * database of its own), and prints the rate and how far the server's resident memory grew.
 *
 *   npm run build && npx tsc -p tsconfig.bench.json && node dist/bench/import-1m.js [--events N] [--database-url URL]
 */

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

async function writeDump(file: string, events: number): Promise<void> {
  const out = createWriteStream(file);
  const write = async (line: unknown): Promise<void> => {
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  };
  const cid = 'CON-bench-import';
  const members = ['MEM-bench-a', 'MEM-bench-b'];
  for (const [i, member] of members.entries()) {
    const user = `USR-bench-${i}`;
    await write({ kind: 'user', id: user, name: `bench-${i}`, properties: { custom_data: {} } });
    await write({
      kind: 'member',
      id: member,
      conversation_id: cid,
      state: 'JOINED',
      timestamp: { joined: '2025-01-01T00:00:00.000Z' },
      channel: { type: 'app' },
      _embedded: { user: { id: user } },
    });
  }
  await write({
    kind: 'conversation',
    id: cid,
    name: 'bench',
    state: 'ACTIVE',
    timestamp: { created: '2025-01-01T00:00:00.000Z' },
  });
  const start = Date.UTC(2025, 0, 1);
  for (let id = 1; id <= events; id++) {
    await write({
      kind: 'event',
      conversation_id: cid,
      id,
      type: 'text',
      from: members[id % 2],
      body: { text: `message number ${id} in the benchmark history` },
      timestamp: new Date(start + id * 1000).toISOString(),
    });
  }
  out.end();
  await once(out, 'finish');
}

/** Streams `file` to the import route and resolves with the summary text. */
function upload(url: string, file: string): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/x-ndjson',
        authorization: `Basic ${Buffer.from(`${BENCH_API_KEY}:${BENCH_API_SECRET}`).toString('base64')}`,
      },
    });
    req.on('error', fail);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, text }));
    });
    createReadStream(file).pipe(req);
  });
}

async function main(): Promise<void> {
  const events = Number(arg('--events') ?? 1_000_000);
  const databaseUrl = arg('--database-url');
  const distDir = dirname(fileURLToPath(import.meta.url));
  const root = resolve(distDir, '..', '..');
  const tmpDir = join(root, 'bench', 'tmp');
  await mkdir(tmpDir, { recursive: true });
  const work = await mkdtemp(join(tmpDir, 'import-'));
  try {
    const file = join(work, 'dump.ndjson');
    await writeDump(file, events);
    const size = (await stat(file)).size;
    const server = await startParley({
      root,
      distDir,
      tmpDir,
      dataDirs: [join(work, 'data')],
      env: databaseUrl === undefined ? {} : { PARLEY_DATABASE_URL: databaseUrl },
      pinned: false,
    });
    try {
      const [url] = server.urls;
      const [pid] = server.pids;
      if (url === undefined || pid === undefined) throw new Error('the server did not start');
      const admin = await ParleyAdmin.createApp(url);
      const heapBefore = (await server.probe()).heapUsed;
      const before = rssBytes(pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 250);
      const started = performance.now();
      const { status, text } = await upload(`${url}/v2/applications/${admin.app.id}/import`, file);
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      peak = Math.max(peak, rssBytes(pid));
      if (status !== 200) throw new Error(`import answered ${status}: ${text}`);
      const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);
      console.log(`store: ${databaseUrl === undefined ? 'SQLite' : 'PostgreSQL'}`);
      console.log(`dump: ${events} events, ${mb(size)} MB`);
      console.log(`import: ${seconds.toFixed(1)} s, ${Math.round(events / seconds)} events/s`);
      console.log(`server RSS: ${mb(before)} MB before, ${mb(peak)} MB peak (+${mb(peak - before)} MB)`);
      // After a forced collection: what the import left behind, as opposed to garbage not yet collected.
      const heapAfter = (await server.probe()).heapUsed;
      console.log(`server heap after GC: ${mb(heapBefore)} MB before, ${mb(heapAfter)} MB after`);
      console.log(`summary: ${text}`);
    } finally {
      await server.stop();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
