import { ParleyError } from '../protocol/errors.js';

/** The default text limit, as PARLEY_MAX_TEXT's default. */
export const DEFAULT_MAX_TEXT_BYTES = 8 * 1024;

/** Event types only the server writes: member changes are made through the members API. */
const RESERVED_TYPE = /^(member|conversation|session|system|event):/;

/**
 * What a client may put in an event, whichever transport it came over: no server-only types, and a `text`
 * no longer than the configured limit.
 */
export class ContentPolicy {
  constructor(readonly maxTextBytes: number = DEFAULT_MAX_TEXT_BYTES) {}

  check(type: string, body: Record<string, unknown>): void {
    if (RESERVED_TYPE.test(type)) {
      throw new ParleyError(
        'http:error:validation-fail',
        `Events of type ${type} are written by the server`,
        {
          invalid_parameters: [{ name: 'type', reason: 'reserved' }],
        },
      );
    }
    if (
      type === 'text' &&
      typeof body.text === 'string' &&
      Buffer.byteLength(body.text) > this.maxTextBytes
    ) {
      throw new ParleyError('system:error:too-large', `A text may have at most ${this.maxTextBytes} bytes`);
    }
  }
}
