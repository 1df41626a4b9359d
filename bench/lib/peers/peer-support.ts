import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { sleep } from '../stats.js';

/**
 * How long a peer may take to shut down after SIGTERM. Prosody saves every room and closes every session on
 * the way out; on a loaded disk that takes seconds. A peer still running then is killed, and the bench says so.
 */
export const STOP_GRACE_MS = 30_000;

/** What the peers must hold before a run: the same users and rooms the scenarios use on every system. */
export interface PeerSeedSpec {
  bigRoomMembers: number;
  smallRooms: number;
  smallRoomSize: number;
}

/** Users `b0…` (S1's big room) and `s0…` (S2–S4's small rooms), named after the load clients' keys. */
export function peerUsers(spec: PeerSeedSpec): string[] {
  return [
    ...Array.from({ length: spec.bigRoomMembers }, (_, i) => `b${i}`),
    ...Array.from({ length: spec.smallRooms * spec.smallRoomSize }, (_, i) => `s${i}`),
  ];
}

/** Rooms `big` and `r0…`, as the baselines name them. */
export function peerRooms(spec: PeerSeedSpec): string[] {
  return ['big', ...Array.from({ length: spec.smallRooms }, (_, i) => `r${i}`)];
}

/** The first executable called `name` on PATH, as a shell would find it. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** The Debian package's version, when dpkg knows it. */
export function packageVersion(pkg: string): string | undefined {
  try {
    const v = execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    return v || undefined;
  } catch {
    return undefined;
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => done(true));
  });
}

/** Waits until something accepts TCP connections on `port`, or `alive()` turns false, or time runs out. */
export async function waitForPort(port: number, alive: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await portAnswers(port))) {
    if (!alive()) throw new Error(`exited before listening on ${port}`);
    if (Date.now() > deadline) throw new Error(`not listening on ${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}
