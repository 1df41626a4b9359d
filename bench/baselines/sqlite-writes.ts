import { closeSync, mkdtempSync, openSync, rmSync, writeSync, fdatasyncSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Histogram } from '../lib/histogram.js';

/**
 * B-db: what one durable write costs on this disk. Raw better-sqlite3, WAL, synchronous=FULL, one row per
 * commit, back to back for `--ms` milliseconds. Also times bare fdatasync() of a small append in the same
 * folder, the floor every durable acknowledgement pays. Prints one JSON line.
 */
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const durationMs = Number(arg('--ms', '4000'));
const dir = mkdtempSync(join(arg('--dir', '.'), 'bdb-'));

const fsyncHist = new Histogram();
const fd = openSync(join(dir, 'fsync-probe'), 'w');
for (let i = 0; i < 200; i++) {
  writeSync(fd, 'x'.repeat(200));
  const t = process.hrtime.bigint();
  fdatasyncSync(fd);
  fsyncHist.recordNanos(process.hrtime.bigint() - t);
}
closeSync(fd);

const db = new Database(join(dir, 'bdb.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('create table events (id integer primary key, conversation_id text not null, body text not null)');
const insert = db.prepare('insert into events (conversation_id, body) values (?, ?)');
const commitHist = new Histogram();
const body = JSON.stringify({ text: 'x'.repeat(60) });
const start = process.hrtime.bigint();
const end = start + BigInt(durationMs) * 1_000_000n;
let commits = 0;
for (let now = start; now < end;) {
  insert.run('CON-bench', body);
  const after = process.hrtime.bigint();
  commitHist.recordNanos(after - now);
  commits++;
  now = after;
}
const elapsedS = Number(process.hrtime.bigint() - start) / 1e9;
db.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    commits,
    commitsPerSec: commits / elapsedS,
    commitP50Ms: commitHist.percentileMs(50),
    commitP99Ms: commitHist.percentileMs(99),
    fsyncP50Ms: fsyncHist.percentileMs(50),
    fsyncP99Ms: fsyncHist.percentileMs(99),
  }),
);
