import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PeerId, RunningServer } from '../servers.js';
import { ejabberd } from './ejabberd.js';
import type { PeerSeedSpec } from './peer-support.js';
import { prosody } from './prosody.js';

/** How the bench runs one peer: what it needs, how it is configured, seeded, started. */
export interface PeerDriver {
  id: PeerId;
  /** How to install what it needs (Debian's packages, as root). */
  install: string;
  /** Why it cannot run on this machine, or undefined when it can. */
  missing(): string | undefined;
  version(): string;
  /** The configuration in words, for the results. */
  configuration: string;
  /** What a message's delivery promises about its storage, for the results. */
  guarantee: string;
  /** Fills `dir` with the users and rooms of `spec` (server unpinned, not measured); leaves it stopped. */
  seed(dir: string, spec: PeerSeedSpec): Promise<void>;
  /** Starts the peer on `dir`, pinned to the server CPU. */
  start(dir: string): Promise<RunningServer>;
}

export const PEER_DRIVERS: Record<PeerId, PeerDriver> = { ejabberd, Prosody: prosody };

/** Bump when a peer's configuration or seed changes, so cached templates are rebuilt. */
const SEED_REVISION = 1;

export interface PreparedPeer {
  driver: PeerDriver;
  version: string;
  /** A stopped, seeded data folder; each run starts on a copy of it. */
  templateDir: string;
  seedSeconds: number;
  builtSeed: boolean;
}

/**
 * Seeds each peer once (or reuses the template cached for the same shape, version and configuration).
 * A peer that is missing or fails to seed is skipped with a reason.
 */
export async function preparePeers(
  wanted: readonly PeerId[],
  spec: PeerSeedSpec,
  tmpDir: string,
  log: (m: string) => void,
): Promise<{ ready: PreparedPeer[]; skipped: string[] }> {
  const ready: PreparedPeer[] = [];
  const skipped: string[] = [];
  for (const id of wanted) {
    const driver = PEER_DRIVERS[id];
    const missing = driver.missing();
    if (missing) {
      skipped.push(`${id} skipped: not installed (${missing}); to include it: ${driver.install}`);
      continue;
    }
    const version = driver.version();
    const key = createHash('sha256')
      .update(JSON.stringify({ id, version, spec, SEED_REVISION }))
      .digest('hex')
      .slice(0, 16);
    const templateDir = join(tmpDir, 'peer-cache', `${id}-${key}`);
    const marker = join(templateDir, 'seeded');
    const t = Date.now();
    let builtSeed = false;
    if (!existsSync(marker)) {
      rmSync(templateDir, { recursive: true, force: true });
      mkdirSync(templateDir, { recursive: true });
      log(`seeding ${id} ${version} (users and rooms, unpinned)…`);
      try {
        await driver.seed(templateDir, spec);
      } catch (e) {
        rmSync(templateDir, { recursive: true, force: true });
        const why = e instanceof Error ? e.message.split('\n').slice(0, 6).join(' ') : String(e);
        skipped.push(`${id} skipped: could not be set up (${why})`);
        continue;
      }
      writeFileSync(marker, new Date().toISOString());
      builtSeed = true;
    }
    ready.push({ driver, version, templateDir, seedSeconds: (Date.now() - t) / 1000, builtSeed });
  }
  return { ready, skipped };
}

/** Starts a peer on a fresh copy of its template; stopping it removes the copy. */
export async function startPeer(
  peer: PreparedPeer,
  tmpDir: string,
  label: string,
  log: (m: string) => void,
): Promise<RunningServer> {
  const dir = join(tmpDir, `run-${label}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(peer.templateDir, dir, { recursive: true });
  let server: RunningServer;
  try {
    server = await peer.driver.start(dir);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const stop = server.stop.bind(server);
  server.stop = async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    const exit = server.exits.join(', ');
    // Both exit 0 on SIGTERM after a clean shutdown (Erlang's init:stop, Prosody's own handler).
    if (server.exits.some((e) => e !== 0 && e !== 'SIGTERM'))
      log(`  ${peer.driver.id} did not stop cleanly after SIGTERM (${exit})`);
  };
  return server;
}
