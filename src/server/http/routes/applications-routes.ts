import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Domain } from '../../../core/domain.js';
import type { ApplicationRecord } from '../../../store/records.js';
import { requestUrl, selfLink } from '../pagination.js';
import { renderApplication } from '../render.js';
import { newApplicationSchema } from '../schemas.js';
import { validate } from '../../validate.js';
import { idParams } from './params.js';

const listParams = z
  .object({
    page_size: z.coerce.number().int().min(1).max(100).default(10),
    page: z.coerce.number().int().min(1).default(1),
  })
  .loose();

/** Vonage's Applications API v2, guarded by HTTP Basic with the server's API key and secret. */
export function applicationsRoutes(app: FastifyInstance, domain: Domain): void {
  app.addHook('preHandler', async (request) => {
    await domain.credentials.check(request.headers.authorization);
  });

  app.post('/v2/applications', async (request, reply) => {
    const input = validate(newApplicationSchema, request.body);
    const { application, privateKey } = await domain.applications.create({
      name: input.name,
      publicKey: input.keys?.public_key,
      eventUrl: input.capabilities?.rtc?.webhooks?.event_url?.address,
      answerUrl: input.capabilities?.voice?.webhooks?.answer_url?.address,
    });
    return reply.status(201).send(renderApplication(requestUrl(request).origin, application, privateKey));
  });

  // Page numbers, as v2 clients expect; applications are few, so walking the keyset to the page is cheap.
  app.get('/v2/applications', async (request) => {
    const { page_size, page } = validate(listParams, request.query, 'query');
    const all: ApplicationRecord[] = [];
    let after: string | undefined;
    do {
      const result = await domain.applications.list({ limit: 100, order: 'asc', after });
      all.push(...result.items);
      after = result.next;
    } while (after !== undefined);
    const origin = requestUrl(request).origin;
    return {
      page_size,
      page,
      total_items: all.length,
      total_pages: Math.ceil(all.length / page_size),
      _embedded: {
        applications: all
          .slice((page - 1) * page_size, page * page_size)
          .map((a) => renderApplication(origin, a)),
      },
      _links: selfLink(request),
    };
  });

  app.get('/v2/applications/:id', async (request) => {
    const { id } = idParams(request);
    return renderApplication(requestUrl(request).origin, await domain.applications.get(id));
  });

  app.delete('/v2/applications/:id', async (request, reply) => {
    const { id } = idParams(request);
    await domain.applications.delete(id);
    return reply.status(204).send();
  });
}
