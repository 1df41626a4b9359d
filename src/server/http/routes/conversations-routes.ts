import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Domain } from '../../../core/domain.js';
import { principalOf } from '../authenticate.js';
import { pageQuery, requestUrl } from '../pagination.js';
import { renderConversation, renderList } from '../render.js';
import { conversationPatchSchema, newConversationSchema } from '../schemas.js';
import { validate } from '../../validate.js';
import { idParams } from './params.js';
import { z } from 'zod';

/** Date filters on conversation lists are not supported yet: refused rather than ignored. */
const unsupported = z.never({ error: 'date filters on conversation lists are not supported' }).optional();
const listQuery = z.object({ date_start: unsupported, date_end: unsupported }).loose();

export function conversationsRoutes(app: FastifyInstance, domain: Domain): void {
  app.post('/v1/conversations', async (request, reply) => {
    const input = validate(newConversationSchema, request.body ?? {});
    const conversation = await domain.conversations.create(principalOf(request), {
      name: input.name,
      displayName: input.display_name,
      imageUrl: input.image_url,
      customData: input.properties?.custom_data,
      joinPolicy: input.join_policy,
      ttl: input.properties?.ttl,
      type: input.properties?.type,
      customSortKey: input.properties?.custom_sort_key,
      numbers: input.numbers,
      callback: input.callback,
    });
    return reply.status(201).send(renderConversation(requestUrl(request).origin, conversation));
  });

  app.get('/v1/conversations', async (request) => {
    const page = pageQuery(request);
    validate(listQuery, request.query, 'query');
    const result = await domain.conversations.list(principalOf(request), page);
    return renderList(request, page.limit, 'conversations', result, renderConversation);
  });

  app.get('/v1/conversations/:id', async (request) => {
    const { id } = idParams(request);
    const conversation = await domain.conversations.get(principalOf(request), id);
    return renderConversation(requestUrl(request).origin, conversation);
  });

  // PUT as Vonage's API has it, PATCH for a partial change (`join_policy`); both change only what is given.
  const update = async (request: FastifyRequest) => {
    const { id } = idParams(request);
    const input = validate(conversationPatchSchema, request.body ?? {});
    const conversation = await domain.conversations.update(principalOf(request), id, {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.display_name !== undefined && { displayName: input.display_name }),
      ...(input.image_url !== undefined && { imageUrl: input.image_url }),
      ...(input.properties?.custom_data !== undefined && { customData: input.properties.custom_data }),
      ...(input.join_policy !== undefined && { joinPolicy: input.join_policy }),
      ...(input.properties?.ttl !== undefined && { ttl: input.properties.ttl }),
      ...(input.properties?.type !== undefined && { type: input.properties.type }),
      ...(input.properties?.custom_sort_key !== undefined && {
        customSortKey: input.properties.custom_sort_key,
      }),
      ...(input.numbers !== undefined && { numbers: input.numbers }),
      ...(input.callback !== undefined && { callback: input.callback }),
    });
    return renderConversation(requestUrl(request).origin, conversation);
  };
  app.put('/v1/conversations/:id', update);
  app.patch('/v1/conversations/:id', update);

  app.delete('/v1/conversations/:id', async (request, reply) => {
    const { id } = idParams(request);
    await domain.conversations.delete(principalOf(request), id);
    return reply.status(204).send();
  });
}
