import { ParleyError } from '../../protocol/errors.js';
import { REQUEST_TYPES, type RealtimeRequest, type RequestType } from '../../protocol/realtime.js';

const REQUEST_TYPE_SET: ReadonlySet<string> = new Set(REQUEST_TYPES);
const MAX_ID_LENGTH = 100;

export type Envelope =
  { ok: true; value: RealtimeRequest } | { ok: false; tid: string | undefined; error: ParleyError };

/** Validates the envelope every request shares; handlers validate their own fields. */
export function parseEnvelope(message: unknown): Envelope {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return {
      ok: false,
      tid: undefined,
      error: new ParleyError('system:error:invalid-request', 'A request is a JSON object'),
    };
  }
  const record = message as Record<string, unknown>;
  const tid = typeof record.tid === 'string' && record.tid.length <= MAX_ID_LENGTH ? record.tid : undefined;
  if (tid === undefined) {
    return {
      ok: false,
      tid,
      error: new ParleyError(
        'system:error:invalid-request',
        'tid must be a string of at most 100 characters',
      ),
    };
  }
  if (typeof record.type !== 'string' || !REQUEST_TYPE_SET.has(record.type)) {
    return {
      ok: false,
      tid,
      error: new ParleyError(
        'system:error:unknown-request',
        `Unknown request type ${String(record.type).slice(0, 50)}`,
      ),
    };
  }
  for (const key of ['cid', 'from', 'to', 'client_ref'] as const) {
    const v = record[key];
    if (v !== undefined && (typeof v !== 'string' || v.length > MAX_ID_LENGTH)) {
      return {
        ok: false,
        tid,
        error: new ParleyError(
          'system:error:invalid-request',
          `${key} must be a string of at most 100 characters`,
        ),
      };
    }
  }
  const body = record.body;
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    return {
      ok: false,
      tid,
      error: new ParleyError('system:error:invalid-request', 'body must be an object'),
    };
  }
  return {
    ok: true,
    value: { ...(record as Omit<RealtimeRequest, 'type'>), type: record.type as RequestType, tid },
  };
}

/** The request id of a message, when it has a usable one. */
export function tidOf(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null || !('tid' in message)) return undefined;
  return typeof message.tid === 'string' && message.tid.length <= MAX_ID_LENGTH ? message.tid : undefined;
}
