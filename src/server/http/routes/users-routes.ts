import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Domain } from '../../../core/domain.js';
import { principalOf } from '../authenticate.js';
import { pageQuery, requestUrl } from '../pagination.js';
import { renderMembership, renderUser, renderList } from '../render.js';
import { newUserSchema, userPatchSchema } from '../schemas.js';
import { validate } from '../../validate.js';
import { idParams } from './params.js';
import type { UserSessions } from '../user-sessions.js';

/** `sessions` is the realtime hub's view of live sessions; without it a user has none. */
export function usersRoutes(app: FastifyInstance, domain: Domain, sessions?: UserSessions): void {
  app.post('/v1/users', async (request, reply) => {
    const input = validate(newUserSchema, request.body);
    const user = await domain.users.create(principalOf(request), {
      name: input.name,
      displayName: input.display_name,
      imageUrl: input.image_url,
      customData: input.properties?.custom_data,
      channels: input.channels,
    });
    return reply.status(201).send(renderUser(requestUrl(request).origin, user));
  });

  app.get('/v1/users', async (request) => {
    const page = pageQuery(request);
    const { name } = validate(
      z.object({ name: z.string().max(200).optional() }).loose(),
      request.query,
      'query',
    );
    const result = await domain.users.list(principalOf(request), page, name);
    return renderList(request, page.limit, 'users', result, renderUser);
  });

  app.get('/v1/users/:id', async (request) => {
    const { id } = idParams(request);
    return renderUser(requestUrl(request).origin, await domain.users.get(principalOf(request), id));
  });

  app.patch('/v1/users/:id', async (request) => {
    const { id } = idParams(request);
    const input = validate(userPatchSchema, request.body ?? {});
    const user = await domain.users.update(principalOf(request), id, {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.display_name !== undefined && { displayName: input.display_name }),
      ...(input.image_url !== undefined && { imageUrl: input.image_url }),
      ...(input.properties?.custom_data !== undefined && { customData: input.properties.custom_data }),
      ...(input.channels !== undefined && { channels: input.channels }),
    });
    return renderUser(requestUrl(request).origin, user);
  });

  app.delete('/v1/users/:id', async (request, reply) => {
    const { id } = idParams(request);
    await domain.users.delete(principalOf(request), id);
    return reply.status(204).send();
  });

  app.get('/v1/users/:id/conversations', async (request) => {
    const { id } = idParams(request);
    const page = pageQuery(request);
    const result = await domain.conversations.listForUser(principalOf(request), id, page);
    return renderList(request, page.limit, 'conversations', result, renderMembership);
  });

  // Live, so not paged: the whole list is one page, in the shape `@vonage/conversations` reads.
  app.get('/v1/users/:id/sessions', async (request) => {
    const { id } = idParams(request);
    const principal = principalOf(request);
    const user = await domain.users.get(principal, id);
    const live = sessions?.ofUser(user.id) ?? [];
    const items = live.map((s) => ({
      id: s.id,
      properties: { ttl: s.ttl },
      _embedded: { user: { id: user.id, name: user.name }, api_key: user.applicationId },
    }));
    return {
      page_size: items.length,
      _embedded: { sessions: items },
      _links: { self: { href: requestUrl(request).href } },
    };
  });
}
