import { Migrator, sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';
import { migrationProvider } from '../migrations/index.js';
import type { Store } from '../store.js';
import { applications } from './applications.js';
import { conversations } from './conversations.js';
import { eventLog } from './event-log.js';
import { importWrites } from './import-writes.js';
import { mediaCatalog } from './media-catalog.js';
import { members } from './members.js';
import { memberships } from './memberships.js';
import { settings } from './settings.js';
import { SqlScope } from './sql-scope.js';
import type { StoreCapabilities } from './store-capabilities.js';
import { users } from './users.js';

/**
 * The `Store` over any Kysely dialect; a backend supplies the connection and its `StoreCapabilities`. The
 * SQL lives beside this file, one file per table and one for the event log; this is only the shell.
 */
export const KyselyStore = {
  /** A store over `db`, migrated; the connection is closed again if migrating fails. */
  async open(db: Kysely<Database>, capabilities: StoreCapabilities): Promise<Store> {
    try {
      await migrate(db);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    const store = storeOver(new SqlScope(db, capabilities));
    connections.set(store, db);
    return store;
  },
};

/** Each opened store's connection, for feature stores (webhooks) whose tables sit beside these. */
const connections = new WeakMap<Store, Kysely<Database>>();

/** The connection behind a store this module opened, shared so SQLite keeps its one writer. */
export const connectionOf = (store: Store): Kysely<Database> | undefined => connections.get(store);

/** The store's methods over `scope`: the backend's connection, or one transaction on it. */
function storeOver(scope: SqlScope): Store {
  const store: Store = {
    // A nested call runs in the outer transaction's scope, so it gets this same store back.
    transaction: (fn) => scope.transaction((tx) => fn(tx === scope ? store : storeOver(tx))),
    async ping() {
      await sql`select 1`.execute(scope.db);
    },
    close: () => scope.db.destroy(),
    ...settings(scope),
    ...applications(scope),
    ...users(scope),
    ...conversations(scope),
    ...members(scope),
    ...memberships(scope),
    ...eventLog(scope),
    ...importWrites(scope),
    ...mediaCatalog(scope),
  };
  return store;
}

/** Brings the schema up to date; concurrent nodes are safe, as Kysely's migrator takes a lock. */
async function migrate(db: Kysely<Database>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((result) => result.status === 'Error');
  const what = failed ? `migration ${failed.migrationName}` : 'migrations';
  const reason = error instanceof Error ? error.message : JSON.stringify(error);
  throw new Error(`Could not apply database ${what}: ${reason}`, { cause: error });
}
