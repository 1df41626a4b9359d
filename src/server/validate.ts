import type { z } from 'zod';
import { ParleyError } from '../protocol/errors.js';

/** Parses untrusted input with a schema, turning every issue into the catalogue's validation error. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what = 'request body'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const invalid = result.error.issues.map((issue) => ({
    name: issue.path.length > 0 ? issue.path.join('.') : what,
    reason: issue.message,
  }));
  const first = invalid[0];
  throw new ParleyError(
    'http:error:validation-fail',
    first ? `Invalid ${what}: ${first.name}: ${first.reason}` : `Invalid ${what}`,
    { invalid_parameters: invalid },
  );
}
