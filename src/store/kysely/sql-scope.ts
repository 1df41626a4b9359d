import { sql, type DeleteResult, type Insertable, type Kysely, type Selectable } from 'kysely';
import { ParleyError, type ErrorCode } from '../../protocol/errors.js';
import type { Database } from '../database.js';
import { appendQueries, type AppendQueries } from './append-queries.js';
import type { StoreCapabilities } from './store-capabilities.js';

/** The tables keyed by a text `id` that `create` inserts into. */
type DirectoryTable = 'applications' | 'users' | 'conversations' | 'members';

/** A statement that returns at most one row (a lookup by key, an `UPDATE … RETURNING`), not yet run. */
interface AtMostOne<Row> {
  executeTakeFirst(): Promise<Row | undefined>;
}

/** A `DELETE`, not yet run. */
interface Delete {
  executeTakeFirst(): Promise<DeleteResult>;
}

/**
 * Where the store's statements run: the backend's connection or one transaction on it, with what every table
 * file shares (the backend's capabilities, the compiled append statements, and writes that report conflicts).
 */
export class SqlScope {
  constructor(
    readonly db: Kysely<Database>,
    readonly capabilities: StoreCapabilities,
    readonly queries: AppendQueries = appendQueries(db),
  ) {}

  /** Runs `fn` in one transaction; inside one already, `fn` joins it (nested calls share the outer one). */
  transaction<T>(fn: (tx: SqlScope) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return this.db.transaction().execute((trx) => fn(new SqlScope(trx, this.capabilities, this.queries)));
  }

  /** Inserts `row` into `table` and maps the stored row; a unique violation becomes `conflict` when named. */
  async create<T extends DirectoryTable, R>(
    table: T,
    row: Insertable<Database[T]>,
    map: (row: Selectable<Database[T]>) => R,
    conflict?: ErrorCode,
  ): Promise<R> {
    const insert = () => this.db.insertInto(table).values(row).returningAll().executeTakeFirstOrThrow();
    return map(await this.write(conflict, insert));
  }

  /** Runs a lookup by key and maps the row; undefined when there is none. */
  async find<Row, R>(select: AtMostOne<Row>, map: (row: Row) => R): Promise<R | undefined> {
    const row = await select.executeTakeFirst();
    return row === undefined ? undefined : map(row);
  }

  /** Runs an `UPDATE … RETURNING` of one row by key and maps it; undefined when no row matched. */
  async update<Row, R>(
    update: AtMostOne<Row>,
    map: (row: Row) => R,
    conflict?: ErrorCode,
  ): Promise<R | undefined> {
    const row = await this.write(conflict, () => update.executeTakeFirst());
    return row === undefined ? undefined : map(row);
  }

  /** Runs a `DELETE` by key: whether there was a row to delete. */
  async remove(del: Delete): Promise<boolean> {
    const result = await del.executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /**
   * Runs a write, reporting a unique violation as the catalogue's conflict `code` (under a savepoint where a
   * failed statement would abort the transaction, so the caller may carry on after catching it).
   */
  async write<T>(code: ErrorCode | undefined, write: () => Promise<T>): Promise<T> {
    if (code === undefined) return write();
    const isolate = this.db.isTransaction && this.capabilities.statementErrorAbortsTransaction;
    try {
      return await (isolate ? this.underSavepoint(write) : write());
    } catch (error) {
      if (this.capabilities.isUniqueViolation(error)) throw new ParleyError(code);
      throw error;
    }
  }

  private async underSavepoint<T>(write: () => Promise<T>): Promise<T> {
    await sql`savepoint parley_write`.execute(this.db);
    let result: T;
    try {
      result = await write();
    } catch (error) {
      await sql`rollback to savepoint parley_write`.execute(this.db);
      throw error;
    }
    await sql`release savepoint parley_write`.execute(this.db);
    return result;
  }
}
