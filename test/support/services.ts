import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import pg from 'pg';

export type ServiceName = 'postgres' | 'redis';

const PROBE_TIMEOUT_MS = 1000;

/**
 * The admin URL of the test PostgreSQL server, through which tests create and drop their own databases.
 * PARLEY_TEST_DATABASE_URL set but empty means there is none.
 */
export function postgresUrl(): string | undefined {
  const url = process.env.PARLEY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  return url === '' ? undefined : url;
}

export function redisUrl(): string {
  return process.env.PARLEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * Why tests needing `name` cannot run here, or `undefined` when the service answers within a second. A
 * missing service is printed, so a skipped suite is never silent; with PARLEY_REQUIRE_SERVICES=1 (as in CI)
 * it throws instead, so the run fails rather than skips.
 */
export async function serviceSkipReason(name: ServiceName): Promise<string | undefined> {
  const url = name === 'postgres' ? postgresUrl() : redisUrl();
  const problem =
    url === undefined
      ? 'no URL is configured'
      : await (name === 'postgres' ? probePostgres : probeRedis)(url);
  if (problem === undefined) return undefined;
  const where = url === undefined ? '' : ` at ${redact(url)}`;
  if (process.env.PARLEY_REQUIRE_SERVICES === '1') {
    throw new Error(`${name} is required (PARLEY_REQUIRE_SERVICES=1) but missing${where}: ${problem}`);
  }
  const reason = `${name} tests skipped: ${name} is not reachable${where} (${problem}); set PARLEY_REQUIRE_SERVICES=1 to fail instead`;
  console.warn(reason);
  return reason;
}

/** A database of its own for one test file or test, so suites can run in parallel without sharing tables. */
export async function freshPostgresDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const admin = postgresUrl();
  if (admin === undefined) throw new Error('No PostgreSQL URL is configured');
  const name = `parley_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(admin, (client) => client.query(`create database ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(admin, async (client) => {
        await client.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [name],
        );
        await client.query(`drop database if exists ${name}`);
      });
    },
  };
}

async function withAdmin<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function probePostgres(url: string): Promise<string | undefined> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: PROBE_TIMEOUT_MS,
    query_timeout: PROBE_TIMEOUT_MS,
  });
  // A server that goes away mid-probe reports here too; the failed query already says so.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return messageOf(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Sends PING (after AUTH when the URL has a password) over a raw socket and expects +PONG last. */
async function probeRedis(url: string): Promise<string | undefined> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return 'the URL does not parse';
  }
  if (target.protocol !== 'redis:' && target.protocol !== 'rediss:') {
    return `unsupported scheme ${target.protocol}`;
  }
  const commands: string[][] = [];
  if (target.password !== '') {
    const password = decodeURIComponent(target.password);
    const user = decodeURIComponent(target.username);
    commands.push(user === '' ? ['AUTH', password] : ['AUTH', user, password]);
  }
  commands.push(['PING']);
  const host = target.hostname === '' ? '127.0.0.1' : target.hostname.replace(/^\[|\]$/g, '');
  const port = target.port === '' ? 6379 : Number(target.port);

  return new Promise((resolve) => {
    const socket: Socket =
      target.protocol === 'rediss:'
        ? tlsConnect({ host, port, servername: host })
        : tcpConnect({ host, port });
    let received = '';
    const finish = (problem: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    };
    const timer = setTimeout(() => finish(`no answer within ${PROBE_TIMEOUT_MS} ms`), PROBE_TIMEOUT_MS);
    socket.once(target.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => {
      socket.write(commands.map(encodeCommand).join(''));
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      const replies = received.split('\r\n').slice(0, -1);
      const failed = replies.find((reply) => reply.startsWith('-'));
      if (failed !== undefined) finish(`Redis answered ${failed}`);
      else if (replies.length >= commands.length) {
        const last = replies[commands.length - 1];
        finish(last === '+PONG' ? undefined : `Redis answered ${last} to PING`);
      }
    });
    socket.on('error', (error) => finish(messageOf(error)));
    socket.on('close', () => finish('the connection closed before PONG'));
  });
}

/** RESP array of bulk strings, which carries any byte in a password. */
const encodeCommand = (args: string[]): string =>
  `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;

const messageOf = (error: unknown): string => {
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
};

/** The URL without its password, fit for a log line. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
