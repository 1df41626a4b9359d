import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MUC_DOMAIN, XMPP_DOMAIN, XMPP_PASSWORD, XmppTransport } from '../../load/xmpp-transport.js';
import { SERVER_CPU, freePort, launchCommand, mapLimit } from '../launch.js';
import { RunningServer } from '../servers.js';
import { sleep } from '../stats.js';
import type { PeerDriver } from './peers.js';
import {
  STOP_GRACE_MS,
  onPath,
  packageVersion,
  peerRooms,
  peerUsers,
  waitForPort,
  type PeerSeedSpec,
} from './peer-support.js';

const DATABASE = 'prosody.sqlite';

/**
 * The whole configuration (Prosody 0.12's Lua): one virtual host and a MUC component, HTTP on loopback
 * for XMPP over WebSocket, no s2s, no TLS (loopback; PLAIN allowed over the WebSocket as over Parley's and
 * ejabberd's). Every store, accounts and the MUC archive included, is SQLite in the data folder. Rooms are
 * persistent and every room is archived (mod_muc_mam). mod_limits, Prosody's traffic shaper, is not
 * loaded, as Parley's rate limits are out of the way for the traffic the scenarios offer, and the live-room
 * cache is raised from 100 so no occupied room is evicted.
 */
function config(dir: string, httpPort: number, c2sPort: number): string {
  return `pidfile = "${join(dir, 'prosody.pid')}"
data_path = "${join(dir, 'data')}"
certificates = "${join(dir, 'certs')}"
log = { warn = "*console" }
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
http_interfaces = { "127.0.0.1" }
c2s_ports = { ${c2sPort} }
c2s_direct_tls_ports = {}
s2s_ports = {}
http_ports = { ${httpPort} }
https_ports = {}
-- Node's listen backlog (Parley's and the baselines'), not Prosody's 128.
network_settings = { tcp_backlog = 511 }
admin_socket = "${join(dir, 'admin.sock')}"
run_as_root = true
modules_enabled = { "saslauth", "websocket" }
modules_disabled = { "s2s", "offline", "c2s_direct_tls", "s2s_bidi" }
authentication = "internal_plain"
storage = "sql"
sql = { driver = "SQLite3", database = "${DATABASE}" }
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
consider_websocket_secure = true

VirtualHost "${XMPP_DOMAIN}"

Component "${MUC_DOMAIN}" "muc"
  modules_enabled = { "muc_mam" }
  muc_log_all_rooms = true
  muc_room_locking = false
  muc_room_default_persistent = true
  muc_tombstones = false
  muc_room_cache_size = 100000
`;
}

/** Starts Prosody on `dir` (its SQLite database in `dir/data`), pinned to the server CPU or unpinned for setup. */
async function start(dir: string, pinned: boolean): Promise<RunningServer> {
  const prosody = onPath('prosody');
  if (!prosody) throw new Error('prosody is not on PATH');
  const httpPort = await freePort();
  const c2sPort = await freePort();
  for (const d of ['data', 'certs']) mkdirSync(join(dir, d), { recursive: true });
  const configPath = join(dir, 'prosody.cfg.lua');
  writeFileSync(configPath, config(dir, httpPort, c2sPort));
  // `prosody` is a Lua script whose interpreter execs in place, so the pid is the server's own.
  const proc = launchCommand(pinned ? SERVER_CPU : -1, prosody, ['--config', configPath, '-F'], { cwd: dir });
  try {
    await waitForPort(httpPort, () => proc.child.exitCode === null && proc.child.signalCode === null, 60_000);
  } catch (e) {
    await proc.stop('SIGKILL');
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${proc.output().slice(-3000)}`);
  }
  return new RunningServer(
    [`ws://127.0.0.1:${httpPort}/xmpp-websocket`],
    [proc],
    [],
    () => undefined,
    STOP_GRACE_MS,
  );
}

/**
 * Registers every user straight into Prosody's own accounts store (rows as `prosodyctl register` writes
 * them; one `prosodyctl` process per user would take minutes), then creates every room by joining it once,
 * so the rooms exist, persistent and archived, before the scenarios start. Stops Prosody at the end.
 */
async function seed(dir: string, spec: PeerSeedSpec): Promise<void> {
  const server = await start(dir, false);
  try {
    const file = join(dir, 'data', DATABASE);
    // Prosody creates its tables while loading the host's storage, around when it starts listening.
    for (let i = 0; ; i++) {
      if (existsSync(file)) {
        const probe = new Database(file, { readonly: true });
        const ready = probe.prepare("SELECT 1 FROM sqlite_master WHERE name = 'prosody'").get() !== undefined;
        probe.close();
        if (ready) break;
      }
      if (i > 200) throw new Error('Prosody did not create its SQLite tables');
      await sleep(50);
    }
    const db = new Database(file);
    db.pragma('busy_timeout = 10000');
    const insert = db.prepare(
      "INSERT INTO prosody (host, user, store, key, type, value) VALUES (?, ?, 'accounts', 'password', 'string', ?)",
    );
    db.transaction((users: string[]) => {
      for (const u of users) insert.run(XMPP_DOMAIN, u, XMPP_PASSWORD);
    })(peerUsers(spec));
    db.close();
    const url = server.urls[0] ?? '';
    const rooms = peerRooms(spec);
    // Each room's first member creates it (and so owns it), as the scenarios' first client would.
    const creators = rooms.map((room, i) => (room === 'big' ? 'b0' : `s${(i - 1) * spec.smallRoomSize}`));
    const ignore = { text: () => undefined, reply: () => undefined, closed: () => undefined };
    await mapLimit(rooms, 16, async (room, i) => {
      const client = new XmppTransport(url, creators[i] ?? 'b0', XMPP_PASSWORD, room, ignore);
      await client.open(30_000);
      client.terminate();
    });
  } finally {
    await server.stop();
  }
}

/**
 * Why Prosody cannot run with this configuration here, if it cannot: it must be on PATH, and its Lua (the
 * interpreter its script names) must load LuaDBI's SQLite driver, which Debian's `prosody` only suggests.
 */
function missing(): string | undefined {
  const bin = onPath('prosody');
  if (!bin) return 'prosody is not on PATH';
  const shebang = readFileSync(bin, 'utf8').split('\n', 1)[0] ?? '';
  const lua = /(lua[\d.]*)\s*$/.exec(shebang)?.[1] ?? 'lua';
  try {
    execFileSync(lua, ['-e', 'require "dbd.sqlite3"'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `Prosody's ${lua} cannot load LuaDBI's SQLite driver (package lua-dbi-sqlite3)`;
  }
}

export const prosody: PeerDriver = {
  id: 'Prosody',
  install: 'apt-get install -y prosody lua-dbi-sqlite3',
  missing,
  version() {
    return packageVersion('prosody') ?? 'unknown';
  },
  configuration:
    'Prosody: one Lua process (single-threaded, epoll), XMPP over WebSocket via mod_websocket, SASL PLAIN against plain-stored passwords (internal_plain), MUC rooms persistent with mod_muc_mam archiving every room, every store in SQLite (LuaDBI, SQLite defaults: rollback journal, synchronous=FULL), mod_limits not loaded, log level warn',
  guarantee:
    'a groupchat message is appended to the SQLite archive in its own committed (fsynced) transaction before the room broadcasts it; the sender learns of it only from its reflection, not from an acknowledgement',
  seed,
  start: (dir) => start(dir, true),
};
