import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ParleyAdmin, type BenchApp, type SeededRoom } from './parley-admin.js';
import { startParley } from './servers.js';

/** What the scenarios need to exist in Parley before they start. */
export interface SeedSpec {
  bigRoomMembers: number;
  smallRooms: number;
  smallRoomSize: number;
  ingestRooms: number;
}

export interface Seed {
  app: BenchApp;
  bigRoom: SeededRoom;
  smallRooms: SeededRoom[];
  ingestRooms: SeededRoom[];
  /** User name → token. */
  tokens: Record<string, string>;
  /** A copy of this data directory is each Parley run's fresh starting state. */
  templateDir: string;
  /** How this run got the seed: built now over REST (with the time it took) or reused from an earlier run. */
  origin: { built: boolean; seconds: number; users: number; requests: number };
}

interface SeedFile extends Omit<Seed, 'templateDir' | 'origin'> {
  tokensSignedAt: number;
  users: number;
  requests: number;
  buildSeconds: number;
}

const TOKEN_REUSE_MS = 10 * 3600_000;

/** Hash of the seed's shape and of Parley's migrations: a schema change invalidates a cached template. */
function seedKey(spec: SeedSpec, root: string): string {
  const hash = createHash('sha256').update(JSON.stringify(spec));
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.js')) hash.update(name).update(readFileSync(path));
    }
  };
  walk(join(root, 'dist', 'src', 'store', 'migrations'));
  hash.update(readFileSync(join(root, 'package.json')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Builds (or reuses) the starting state every Parley run copies: one application, the users, the rooms and
 * their members, all created through the REST API of a real `parley serve`. Setup is not measured, so the
 * seeding server runs unpinned on tmpfs; the resulting database is copied onto the real disk for each run.
 * Building 10,000 users and members takes about a minute on this machine, so the template is cached in
 * bench/tmp/seed-cache, keyed by the seed's shape and Parley's migrations.
 */
export async function prepareSeed(
  spec: SeedSpec,
  paths: { root: string; distDir: string; tmpDir: string },
): Promise<Seed> {
  const key = seedKey(spec, paths.root);
  const cacheDir = join(paths.tmpDir, 'seed-cache', key);
  const templateDir = join(cacheDir, 'data');
  const seedFile = join(cacheDir, 'seed.json');
  if (existsSync(seedFile) && existsSync(join(templateDir, 'parley.db'))) {
    const cached = JSON.parse(readFileSync(seedFile, 'utf8')) as SeedFile;
    if (Date.now() - cached.tokensSignedAt > TOKEN_REUSE_MS) {
      const admin = ParleyAdmin.forApp('http://unused', cached.app);
      for (const user of Object.keys(cached.tokens)) cached.tokens[user] = admin.token(user, 23 * 3600);
      cached.tokensSignedAt = Date.now();
      writeFileSync(seedFile, JSON.stringify(cached));
    }
    return {
      ...cached,
      templateDir,
      origin: { built: false, seconds: cached.buildSeconds, users: cached.users, requests: cached.requests },
    };
  }

  const started = Date.now();
  evictOldSeeds(join(paths.tmpDir, 'seed-cache'));
  const shmDir = join(existsSync('/dev/shm') ? '/dev/shm' : paths.tmpDir, `parley-seed-${process.pid}`);
  rmSync(shmDir, { recursive: true, force: true });
  mkdirSync(shmDir, { recursive: true });
  const server = await startParley({ ...paths, dataDirs: [shmDir], pinned: false });
  try {
    const admin = await ParleyAdmin.createApp(server.urls[0] ?? '');
    const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    const big = names('b', spec.bigRoomMembers);
    const small = names('s', spec.smallRooms * spec.smallRoomSize);
    const ingest = names('i', spec.ingestRooms);
    const all = [...big, ...small, ...ingest];
    const tokens: Record<string, string> = {};
    // Sign while the server works on the inserts.
    const signing = (async () => {
      for (let i = 0; i < all.length; i++) {
        const user = all[i] ?? '';
        tokens[user] = admin.token(user, 23 * 3600);
        if (i % 100 === 99) await new Promise((r) => setImmediate(r));
      }
    })();
    await admin.createUsers(all);
    const smallGroups = Array.from({ length: spec.smallRooms }, (_, r) =>
      small.slice(r * spec.smallRoomSize, (r + 1) * spec.smallRoomSize),
    );
    const rooms = await admin.createRooms([big, ...smallGroups, ...ingest.map((u) => [u])]);
    await signing;
    const file: SeedFile = {
      app: admin.app,
      bigRoom: rooms[0] as SeededRoom,
      smallRooms: rooms.slice(1, 1 + spec.smallRooms),
      ingestRooms: rooms.slice(1 + spec.smallRooms),
      tokens,
      tokensSignedAt: Date.now(),
      users: all.length,
      requests: 1 + all.length * 2 + rooms.length,
      buildSeconds: 0,
    };
    await server.stop();
    file.buildSeconds = (Date.now() - started) / 1000;
    mkdirSync(cacheDir, { recursive: true });
    cpSync(shmDir, templateDir, { recursive: true });
    writeFileSync(seedFile, JSON.stringify(file));
    const { app, bigRoom, smallRooms, ingestRooms, users, requests, buildSeconds } = file;
    return {
      app,
      bigRoom,
      smallRooms,
      ingestRooms,
      tokens,
      templateDir,
      origin: { built: true, seconds: buildSeconds, users, requests },
    };
  } finally {
    await server.stop();
    rmSync(shmDir, { recursive: true, force: true });
  }
}

/** A fresh data directory for one Parley run: a copy of the template on the real disk. */
export function freshDataDir(seed: Seed, tmpDir: string, label: string): string {
  const dir = join(tmpDir, 'runs', `${label}-${process.pid}-${Date.now()}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(seed.templateDir, dir, { recursive: true });
  return dir;
}

/** Quick and full runs keep a template each; templates unused for a week go. */
function evictOldSeeds(cacheRoot: string): void {
  if (!existsSync(cacheRoot)) return;
  for (const name of readdirSync(cacheRoot)) {
    const dir = join(cacheRoot, name);
    if (Date.now() - statSync(dir).mtimeMs > 7 * 24 * 3600_000) rmSync(dir, { recursive: true, force: true });
  }
}
