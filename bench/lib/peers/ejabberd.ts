import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MUC_DOMAIN, XMPP_DOMAIN, XMPP_PASSWORD } from '../../load/xmpp-transport.js';
import { SERVER_CPU, freePort, launchCommand, mapLimit } from '../launch.js';
import { RunningServer } from '../servers.js';
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

/**
 * Pending connections the listener queues. ejabberd's default is 5, which drops most of a connect storm's
 * SYNs (clients then wait out TCP's retransmission backoff, 1 s, 3 s, 7 s); Node's default, which Parley
 * and the baselines run with, is 511.
 */
const LISTEN_BACKLOG = 511;

/** Most users a room may hold; above every scenario's size, so no join is refused for room size. */
const MAX_ROOM_USERS = 20_000;

/**
 * The whole configuration (ejabberd 23.01's YAML): one virtual host, one HTTP listener on loopback carrying
 * XMPP over WebSocket (`/ws`) and the admin HTTP API (`/api`, for registering users and creating rooms,
 * loopback only). MUC rooms are persistent with the message archive (mod_mam) on, both in Mnesia on disk.
 * The listen backlog is Node's, not ejabberd's 5. No traffic shaper: the c2s shaper is `none` (ejabberd's example config shapes users to a few KB/s), as
 * Parley's rate limits are out of the way for the traffic the scenarios offer.
 */
function config(port: number, logLevel: string): string {
  return `hosts: ["${XMPP_DOMAIN}"]
loglevel: ${logLevel}
log_rotate_count: 0
certfiles: []
listen:
  -
    port: ${port}
    ip: "127.0.0.1"
    backlog: ${LISTEN_BACKLOG}
    module: ejabberd_http
    request_handlers:
      /ws: ejabberd_http_ws
      /api: mod_http_api
access_rules:
  c2s:
    allow: all
  muc_create:
    allow: all
shaper_rules:
  c2s_shaper: none
  max_user_sessions: 10
api_permissions:
  "bench setup on loopback":
    from:
      - mod_http_api
    who:
      ip: 127.0.0.1/8
    what:
      - register
      - create_room_with_opts
      - status
modules:
  mod_http_api: {}
  mod_mam:
    db_type: mnesia
  mod_muc:
    host: "${MUC_DOMAIN}"
    db_type: mnesia
    access_create: muc_create
    max_users: ${MAX_ROOM_USERS}
    default_room_options:
      persistent: true
      mam: true
  mod_muc_admin: {}
`;
}

interface Install {
  erl: string;
  erlLibs: string;
}

/** Debian's ejabberdctl names the Erlang runtime and where ejabberd's applications live; we run those directly. */
function install(): Install | string {
  const ctl = onPath('ejabberdctl');
  if (!ctl) return 'ejabberdctl is not on PATH';
  const script = readFileSync(ctl, 'utf8');
  const erl = /^ERL="?([^"\n]+)"?/m.exec(script)?.[1] ?? onPath('erl');
  const erlLibs = /^ERL_LIBS='?([^'\n]+)'?/m.exec(script)?.[1];
  if (!erl || !existsSync(erl)) return `the Erlang runtime named by ${ctl} is missing`;
  if (!erlLibs || !readdirSync(erlLibs).some((d) => d.startsWith('ejabberd-')))
    return `ejabberd's Erlang applications are not where ${ctl} says (${erlLibs ?? 'unset'})`;
  return { erl, erlLibs };
}

/**
 * Starts ejabberd on `dir` (its Mnesia database in `dir/spool`), the Erlang VM with one scheduler (`+S 1:1`)
 * pinned to the server CPU, or unpinned for setup. Not through ejabberdctl, which as root re-executes as
 * the `ejabberd` user through `su` and so would not give us the VM's own pid.
 */
async function start(dir: string, pinned: boolean, logLevel = 'warning'): Promise<RunningServer> {
  const found = install();
  if (typeof found === 'string') throw new Error(found);
  const port = await freePort();
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  mkdirSync(join(dir, 'spool'), { recursive: true });
  const configPath = join(dir, 'ejabberd.yml');
  writeFileSync(configPath, config(port, logLevel));
  const proc = launchCommand(
    pinned ? SERVER_CPU : -1,
    found.erl,
    [
      '+S',
      '1:1',
      // No busy-waiting before a scheduler sleeps (Erlang spins by default): the CPU counted is work.
      '+sbwt',
      'none',
      '+sbwtdcpu',
      'none',
      '+sbwtdio',
      'none',
      '+K',
      'true',
      '+P',
      '250000',
      '+Q',
      '65536',
      '-noinput',
      '-noshell',
      '-env',
      'ERL_CRASH_DUMP_BYTES',
      '0',
      '-mnesia',
      'dir',
      `"${join(dir, 'spool')}"`,
      '-s',
      'ejabberd',
    ],
    {
      cwd: dir,
      env: {
        ERL_LIBS: found.erlLibs,
        EJABBERD_CONFIG_PATH: configPath,
        EJABBERD_LOG_PATH: join(logs, 'ejabberd.log'),
        ERL_CRASH_DUMP: join(logs, 'erl_crash.dump'),
        ERL_MAX_PORTS: '65536',
        ERL_MAX_ETS_TABLES: '2800',
      },
    },
  );
  try {
    await waitForPort(port, () => proc.child.exitCode === null && proc.child.signalCode === null, 60_000);
    // The listener opens before every module has started; the API answering means the host is up.
    for (let i = 0; ; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/api/status`, { method: 'POST', body: '{}' }).catch(
        () => undefined,
      );
      if (res?.ok) break;
      if (i > 200) throw new Error(`ejabberd's API did not answer: ${res?.status ?? 'no response'}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (e) {
    await proc.stop('SIGKILL');
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${proc.output().slice(-3000)}`);
  }
  return new RunningServer([`ws://127.0.0.1:${port}/ws`], [proc], [], () => undefined, STOP_GRACE_MS);
}

async function api(base: string, command: string, args: unknown): Promise<void> {
  const res = await fetch(`${base}/api/${command}`, { method: 'POST', body: JSON.stringify(args) });
  if (!res.ok) throw new Error(`ejabberd ${command}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

/** Registers every user and creates every room through ejabberd's HTTP API, then stops it cleanly. */
async function seed(dir: string, spec: PeerSeedSpec): Promise<void> {
  const server = await start(dir, false);
  try {
    const base = (server.urls[0] ?? '').replace(/^ws/, 'http').replace(/\/ws$/, '');
    await mapLimit(peerUsers(spec), 16, (user) =>
      api(base, 'register', { user, host: XMPP_DOMAIN, password: XMPP_PASSWORD }),
    );
    await mapLimit(peerRooms(spec), 16, (name) =>
      api(base, 'create_room_with_opts', {
        name,
        service: MUC_DOMAIN,
        host: XMPP_DOMAIN,
        options: [
          { name: 'persistent', value: 'true' },
          { name: 'mam', value: 'true' },
          { name: 'max_users', value: String(MAX_ROOM_USERS) },
        ],
      }),
    );
  } finally {
    // SIGTERM makes the VM run init:stop(), so Mnesia closes its tables and the copy is consistent.
    await server.stop();
  }
}

export const ejabberd: PeerDriver = {
  id: 'ejabberd',
  install: 'apt-get install -y ejabberd',
  missing() {
    const found = install();
    return typeof found === 'string' ? found : undefined;
  },
  version() {
    if (packageVersion('ejabberd')) return packageVersion('ejabberd') ?? '';
    const found = install();
    if (typeof found === 'string') return 'unknown';
    return (
      readdirSync(found.erlLibs)
        .find((d) => d.startsWith('ejabberd-'))
        ?.slice('ejabberd-'.length) ?? 'unknown'
    );
  },
  configuration:
    'ejabberd: one Erlang scheduler (+S 1:1), XMPP over WebSocket via ejabberd_http_ws, SASL PLAIN against plain-stored passwords, MUC rooms persistent with mod_mam archiving, users, rooms and archive in Mnesia on disk (the archive in disc_only_copies; Mnesia writes are not fsynced per message), c2s shaper none, loglevel warning',
  guarantee:
    'a groupchat message is archived (Mnesia, no fsync) before the room broadcasts it; the sender learns of it only from its reflection, not from an acknowledgement',
  seed,
  start: (dir) => start(dir, true),
};
