import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Domain } from '../../../core/domain.js';
import { MediaService } from '../../../core/media/media-service.js';
import { principalOf } from '../authenticate.js';
import { pageQuery, requestUrl } from '../pagination.js';
import { renderEvent, renderList } from '../render.js';
import { eventIdSchema, newEventSchema } from '../schemas.js';
import { validate } from '../../validate.js';
import { conversationParams, eventParams } from './params.js';
import type { PushedEvent } from '../../../protocol/realtime.js';
import { ParleyError } from '../../../protocol/errors.js';
import { nowIso } from '../../../core/clock.js';
import type { Principal } from '../../../core/auth/principal.js';
import { RELAYED } from '../dialects/new-event.js';

/** An ISO-8601 time, normalised to the stored form (UTC, milliseconds) so it compares as text. */
const isoDate = z
  .string()
  .max(40)
  .refine((v) => !Number.isNaN(Date.parse(v)), 'an ISO-8601 date and time')
  .transform((v) => new Date(v).toISOString());

const eventFilters = z
  .object({
    start_id: eventIdSchema.optional(),
    end_id: eventIdSchema.optional(),
    event_type: z.string().max(100).optional(),
    exclude_deleted_events: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    date_start: isoDate.optional(),
    date_end: isoDate.optional(),
  })
  .loose();

/**
 * `relay` sends typing and other ephemeral events to the conversation's live sessions without storing them,
 * as Vonage did; without it they are stored like any other event.
 */
export function eventsRoutes(
  app: FastifyInstance,
  domain: Domain,
  media?: MediaService,
  relay?: (event: PushedEvent) => void,
): void {
  app.post('/v1/conversations/:cid/events', async (request, reply) => {
    const { cid } = conversationParams(request);
    const input = validate(newEventSchema, request.body);
    const principal = principalOf(request);
    if (relay && RELAYED.has(input.type)) {
      const from = await relayedSender(domain, principal, cid, input.from);
      const timestamp = nowIso();
      relay({ type: input.type, cid, from, timestamp, body: input.body });
      const body: Record<string, unknown> = { type: input.type, from, body: input.body, timestamp };
      if (from !== null) body._embedded = { from_member: { id: from } };
      return reply.status(200).send(body);
    }
    const event = { type: input.type, from: input.from, body: input.body, clientRef: input.client_ref };
    // Images and attachments go through the media service, which checks the files are the sender's own.
    const view =
      media && MediaService.carriesMedia(event.type, event.body)
        ? await media.send(principal, cid, event)
        : await domain.events.send(principal, cid, event);
    return reply.status(201).send(renderEvent(requestUrl(request).origin, view));
  });

  app.get('/v1/conversations/:cid/events', async (request) => {
    const { cid } = conversationParams(request);
    const page = pageQuery(request);
    const filters = validate(eventFilters, request.query, 'query');
    const result = await domain.events.list(principalOf(request), cid, {
      ...page,
      startId: filters.start_id,
      endId: filters.end_id,
      type: filters.event_type,
      excludeDeleted: filters.exclude_deleted_events,
      dateStart: filters.date_start,
      dateEnd: filters.date_end,
    });
    return renderList(request, page.limit, null, result, renderEvent);
  });

  app.get('/v1/conversations/:cid/events/:eid', async (request) => {
    const { cid, eid } = eventParams(request);
    return renderEvent(requestUrl(request).origin, await domain.events.get(principalOf(request), cid, eid));
  });

  app.delete('/v1/conversations/:cid/events/:eid', async (request, reply) => {
    const { cid, eid } = eventParams(request);
    await domain.events.delete(principalOf(request), cid, eid);
    await media?.release(cid, eid);
    return reply.status(204).send();
  });
}

/** The member an ephemeral event comes from: the calling user's joined member, or as the application names. */
async function relayedSender(
  domain: Domain,
  principal: Principal,
  cid: string,
  claimed: string | undefined,
): Promise<string | null> {
  if (!principal.user) {
    await domain.conversations.get(principal, cid);
    if (claimed === undefined) return null;
    const { member } = await domain.members.get(principal, cid, claimed);
    if (member.state !== 'JOINED') throw new ParleyError('conversation:error:not-member');
    return member.id;
  }
  const { member } = await domain.members.get(principal, cid, 'me');
  if (member.state !== 'JOINED') throw new ParleyError('conversation:error:not-member');
  if (claimed !== undefined && claimed !== member.id) throw new ParleyError('event:error:invalid-from');
  return member.id;
}
