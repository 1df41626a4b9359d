import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase as SqliteDialectDatabase } from 'kysely';
import type { Database } from '../database.js';
import { KyselyStore } from '../kysely/kysely-store.js';
import type { StoreCapabilities } from '../kysely/store-capabilities.js';
import type { Store } from '../store.js';

const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

export const sqliteCapabilities: StoreCapabilities = {
  // Primary keys count too, as on PostgreSQL where both report 23505.
  isUniqueViolation: (error) =>
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    UNIQUE_CODES.has(error.code),
  statementErrorAbortsTransaction: false,
  // Kysely's SQLite driver runs every query and transaction on one connection behind a mutex, and one process
  // owns the file (docs/deploy.md), so transactions never interleave.
  writersSerialised: true,
};

/** Opens a SQLite file (or `':memory:'`) with the pragmas Parley relies on, creating its folder if needed. */
export async function openSqliteDatabase(file: string): Promise<SqliteDatabase.Database> {
  if (file !== ':memory:') await mkdir(dirname(resolve(file)), { recursive: true });
  const db = new SqliteDatabase(file);
  try {
    // busy_timeout first, so switching to WAL waits for another process's lock instead of failing.
    db.pragma('busy_timeout = 5000');
    // WAL lets readers run beside the writer; FULL syncs the WAL on every commit, so an acknowledged
    // event survives power loss.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // SQLite leaves foreign keys off by default; the cascades depend on them.
    db.pragma('foreign_keys = ON');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query afresh; compiling SQL costs more than running these small indexed queries, so
 * prepared statements are reused by their SQL text (which Kysely keeps stable, values being parameters).
 */
function withStatementCache(database: SqliteDatabase.Database): SqliteDialectDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare: (sql: string) => {
      let statement = cache.get(sql);
      if (!statement) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        statement = database.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/** Opens and migrates a SQLite-backed store. */
export async function openSqliteStore(opts: { file: string }): Promise<Store> {
  const database = await openSqliteDatabase(opts.file);
  return KyselyStore.open(
    new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }),
    sqliteCapabilities,
  );
}
