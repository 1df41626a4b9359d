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

const eventFilters = z
  .object({
    start_id: eventIdSchema.optional(),
    end_id: eventIdSchema.optional(),
    event_type: z.string().max(100).optional(),
    exclude_deleted_events: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
  })
  .loose();

export function eventsRoutes(app: FastifyInstance, domain: Domain, media?: MediaService): void {
  app.post('/v1/conversations/:cid/events', async (request, reply) => {
    const { cid } = conversationParams(request);
    const input = validate(newEventSchema, request.body);
    const event = { type: input.type, from: input.from, body: input.body, clientRef: input.client_ref };
    // Images and attachments go through the media service, which checks the files are the sender's own.
    const view =
      media && MediaService.carriesMedia(event.type, event.body)
        ? await media.send(principalOf(request), cid, event)
        : await domain.events.send(principalOf(request), cid, event);
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
