import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../database.js';
import { KyselyStore } from '../kysely/kysely-store.js';
import type { StoreCapabilities } from '../kysely/store-capabilities.js';
import type { Store } from '../store.js';

export interface PostgresStoreOptions {
  /** A `postgres://` connection URL. */
  url: string;
  /** Connections in the pool; 10 unless given. */
  poolSize?: number;
}

const UNIQUE_VIOLATION = '23505';

export const postgresCapabilities: StoreCapabilities = {
  isUniqueViolation: (error) => error instanceof Error && 'code' in error && error.code === UNIQUE_VIOLATION,
  statementErrorAbortsTransaction: true,
  // A pool of connections, and other nodes on the same database, append to one conversation at once.
  writersSerialised: false,
};

/*
 * Set on every connection when it opens, overriding server, database and role defaults:
 * - synchronous_commit on: an event is acknowledged only once its commit is durable.
 * - read committed: each statement of `appendEvents` then sees rows that concurrent appends committed while
 *   it waited for the conversation's row lock; stricter levels would fail those appends instead.
 */
const SESSION_SETTINGS = `select set_config('synchronous_commit', 'on', false),
  set_config('default_transaction_isolation', 'read committed', false)`;

/** A dead connection surfaces as an error on the next query; the pool replaces it, so the event itself is moot. */
const ignoreConnectionError = (): void => {};

/** pg-pool awaits `onConnect` and ends a connection whose hook fails; @types/pg still types it as void. */
interface PoolConfig extends Omit<pg.PoolConfig, 'onConnect'> {
  onConnect(client: pg.ClientBase): Promise<void>;
}

/** Opens a pg pool whose connections all carry the session settings Parley relies on. */
export function openPostgresPool(opts: PostgresStoreOptions): pg.Pool {
  const config: PoolConfig = {
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    // Fail a request when the server is unreachable instead of waiting on the OS's TCP timeout.
    connectionTimeoutMillis: 10_000,
    // Awaited before the connection is first handed out, so none runs without the settings.
    async onConnect(client) {
      // Without a listener, a connection dropped while checked out (server restart, terminated backend)
      // would be an uncaught 'error' event that ends the process.
      client.on('error', ignoreConnectionError);
      await client.query(SESSION_SETTINGS);
    },
  };
  const pool = new pg.Pool(config);
  // The same for idle connections, which the pool reports here before dropping them.
  pool.on('error', ignoreConnectionError);
  return pool;
}

/** Opens and migrates a PostgreSQL-backed store; `close()` ends its pool. */
export async function openPostgresStore(opts: PostgresStoreOptions): Promise<Store> {
  return KyselyStore.open(
    new Kysely<Database>({ dialect: new PostgresDialect({ pool: openPostgresPool(opts) }) }),
    postgresCapabilities,
  );
}
