import { sql, type Expression, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { ParleyError } from '../../protocol/errors.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { Page, PageQuery } from '../records.js';

/** One column of a sort key, and the JS type its cursor value must have. */
export interface KeyColumn {
  /** The column as the query names it (`created`, or `members.created` in a join). */
  ref: string;
  kind: 'string' | 'number';
}

/** Directory lists page by creation time, the id breaking ties between rows created in the same millisecond. */
export const BY_CREATED: readonly KeyColumn[] = [
  { ref: 'created', kind: 'string' },
  { ref: 'id', kind: 'string' },
];

/**
 * One page of `query` in keyset order: the rows after the cursor, sorted by `keys` in the page's direction,
 * one more than the limit fetched to learn whether a next page exists. Every list in the store goes
 * through here, so they all page the same way and no list can forget the tie-breaking key.
 */
export async function pageBy<DB, TB extends keyof DB, Row extends Record<string, unknown>, T>(
  query: SelectQueryBuilder<DB, TB, Row>,
  page: PageQuery,
  keys: readonly KeyColumn[],
  map: (row: Row) => T,
): Promise<Page<T>> {
  const after = afterCursor(page, keys);
  let sorted = after ? query.where(after) : query;
  for (const key of keys) sorted = sorted.orderBy(sql.ref(key.ref), page.order);
  const rows = await sorted.limit(page.limit + 1).execute();
  return toPage(rows, page.limit, map, (row) => keys.map((key) => keyValue(row, key)));
}

/**
 * Rows strictly after the cursor in page order, as one row-value comparison `(a, b) > (?, ?)` that both
 * SQLite (3.15+) and PostgreSQL evaluate, and can answer from an index on the same columns.
 */
function afterCursor(page: PageQuery, columns: readonly KeyColumn[]): Expression<SqlBool> | undefined {
  if (page.after === undefined) return undefined;
  const key = decodeCursor(page.after, columns.length);
  // A value of the wrong type would compare oddly on SQLite and fail outright on PostgreSQL.
  if (columns.some((column, i) => typeof key[i] !== column.kind)) {
    throw new ParleyError('http:error:validation-fail', 'The cursor is not one this server issued', {
      invalid_parameters: [{ name: 'cursor', reason: 'malformed' }],
    });
  }
  const op = page.order === 'asc' ? '>' : '<';
  const refs = sql.join(columns.map((column) => sql.ref(column.ref)));
  return sql<SqlBool>`(${refs}) ${sql.raw(op)} (${sql.join(key)})`;
}

/** A key column's value in a fetched row, which carries it under the column's own name. */
function keyValue(row: Record<string, unknown>, key: KeyColumn): string | number {
  const value = row[key.ref.slice(key.ref.lastIndexOf('.') + 1)];
  // PostgreSQL drivers may hand integers back as strings.
  return key.kind === 'number' ? Number(value) : String(value);
}

/** Turns `limit + 1` fetched rows into a page whose `next` exists only when more rows follow. */
function toPage<R, T>(
  rows: readonly R[],
  limit: number,
  map: (row: R) => T,
  key: (row: R) => (string | number)[],
): Page<T> {
  const kept = rows.slice(0, limit);
  const page: Page<T> = { items: kept.map(map) };
  const last = kept.at(-1);
  if (rows.length > limit && last !== undefined) page.next = encodeCursor(key(last));
  return page;
}
