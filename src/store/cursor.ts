import { ParleyError } from '../protocol/errors.js';

/** Opaque keyset positions: base64url JSON of the sort key the previous page ended at. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (
    !Array.isArray(key) ||
    key.length !== arity ||
    !key.every((k) => typeof k === 'string' || (typeof k === 'number' && Number.isSafeInteger(k)))
  ) {
    throw new ParleyError('http:error:validation-fail', 'The cursor is not one this server issued', {
      invalid_parameters: [{ name: 'cursor', reason: 'malformed' }],
    });
  }
  return key as (string | number)[];
}
