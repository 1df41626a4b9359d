import { sql, type Expression, type SqlBool } from 'kysely';
import { ParleyError } from '../protocol/errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { Page, PageQuery } from './records.js';

/** One column of a sort key, and the JS type its cursor value must have. */
export interface KeyColumn {
  ref: string;
  kind: 'string' | 'number';
}

/**
 * Rows strictly after the cursor in page order, as one row-value comparison `(a, b) > (?, ?)` that both
 * SQLite (3.15+) and PostgreSQL evaluate, and can answer from an index on the same columns.
 */
export function afterCursor(page: PageQuery, columns: readonly KeyColumn[]): Expression<SqlBool> | undefined {
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

/** Turns `limit + 1` fetched rows into a page whose `next` exists only when more rows follow. */
export function toPage<R, T>(
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
