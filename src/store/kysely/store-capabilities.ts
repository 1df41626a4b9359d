/** What differs between SQL backends; everything else in `kysely/` is SQL that SQLite and PostgreSQL share. */
export interface StoreCapabilities {
  /** Whether a driver error reports a unique or primary-key violation (SQLite `SQLITE_CONSTRAINT_*`, PG 23505). */
  isUniqueViolation(error: unknown): boolean;
  /**
   * Whether a failed statement poisons the rest of its transaction (PostgreSQL) rather than undoing only
   * itself (SQLite). Conflict-prone writes in a transaction then run under a savepoint, so a caller that
   * catches the conflict can carry on in the same transaction on every backend.
   */
  statementErrorAbortsTransaction: boolean;
  /**
   * Whether the store's transactions already run one at a time (SQLite: Kysely's driver holds one connection
   * behind a mutex, and one process owns the file), so no other writer can slip in between two statements of
   * an append. The event log then skips the conversation-row lock it otherwise takes before looking up
   * `clientRef`s (PostgreSQL, where pooled connections and other nodes append concurrently).
   */
  writersSerialised: boolean;
}
