import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../../core/auth/principal.js';
import type { Domain } from '../../../core/domain.js';
import type { Order } from '../../../store/records.js';
import { validate } from '../../validate.js';
import { isChatEvent } from '../../vocabulary/chat-vocabulary.js';
import { MAX_PAGE_SIZE } from '../pagination.js';
import type { Dialect } from './dialect.js';
import { dialectLinks } from './dialect-links.js';
import { renderEvent } from './dialect-shapes.js';

const eventId = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const historyQuery = z
  .object({
    page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
    order: z
      .string()
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(['asc', 'desc']))
      .default('asc'),
    // An event id: both SDKs read cursors out of `_links` by splitting on `=` and `&`, so they stay plain.
    cursor: eventId.optional(),
    start_id: eventId.optional(),
    end_id: eventId.optional(),
    event_type: z.string().max(1000).optional(),
    filter_group_type: z.enum(['ChatEvents']).optional(),
    filter_group_version: z.string().max(10).optional(),
    exclude_deleted_events: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
  })
  .loose();

/** Store reads per page are batches of this many or twice the page, whichever is more. */
const MIN_BATCH = 50;

/** Whether a type matches one `event_type` entry: exact, or a prefix ending in `*` (`custom:*`). */
const matches = (pattern: string, type: string): boolean =>
  pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type;

/**
 * One page of a conversation's history in a dialect's vocabulary. Types are filtered after translation, so
 * `event_type=message` finds Stitch `text` too, and `filter_group_type=ChatEvents` keeps out what the Vonage
 * SDK cannot decode. The cursor is the id of the last event returned.
 */
export async function eventHistory(
  domain: Domain,
  dialect: Dialect,
  principal: Principal,
  cid: string,
  request: FastifyRequest,
): Promise<Record<string, unknown>> {
  const q = validate(historyQuery, request.query, 'query');
  // A gap fill (start_id and end_id, no page_size) wants the whole range.
  const pageSize = q.page_size ?? (q.end_id !== undefined ? MAX_PAGE_SIZE : 10);
  const order: Order = q.order;
  const types = q.event_type
    ?.split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  const wanted = (type: string): boolean =>
    (q.filter_group_type !== 'ChatEvents' || isChatEvent(type)) &&
    (types === undefined || types.length === 0 || types.some((t) => matches(t, type)));

  let startId = q.start_id;
  let endId = q.end_id;
  if (q.cursor !== undefined) {
    if (order === 'asc') startId = Math.max(startId ?? 0, q.cursor + 1);
    else endId = Math.min(endId ?? Number.MAX_SAFE_INTEGER, q.cursor - 1);
  }
  const items: Record<string, unknown>[] = [];
  let more = false;
  let last: number | undefined;
  scan: for (;;) {
    if (endId !== undefined && startId !== undefined && endId < startId) break;
    if (endId !== undefined && endId < 1) break;
    const batch = await domain.events.list(principal, cid, {
      limit: Math.min(1000, Math.max(MIN_BATCH, pageSize * 2)),
      order,
      startId,
      endId,
      excludeDeleted: q.exclude_deleted_events,
    });
    for (const [index, view] of batch.items.entries()) {
      const rendered = renderEvent(dialect, view);
      if (!wanted(rendered.type as string)) continue;
      items.push(rendered);
      last = view.event.id;
      if (items.length === pageSize) {
        more = index < batch.items.length - 1 || batch.next !== undefined;
        break scan;
      }
    }
    const lastScanned = batch.items.at(-1)?.event.id;
    if (batch.next === undefined || lastScanned === undefined) break;
    if (order === 'asc') startId = lastScanned + 1;
    else endId = lastScanned - 1;
  }
  return dialect.page('events', items, pageSize, dialectLinks(request, pageSize, more ? last : undefined));
}
