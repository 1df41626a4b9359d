import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiCredentials } from '../../core/auth/api-credentials.js';
import type { WebhooksAdmin } from '../../core/webhooks/webhooks-admin.js';
import type { DeliveryRecord } from '../../store/webhook-records.js';
import { pageLinks, pageQuery, requestUrl } from '../http/pagination.js';
import { renderApplication } from '../http/render.js';
import { idParams } from '../http/routes/params.js';
import { validate } from '../validate.js';

const url = z.string().url().max(2048);
/** Parley sends event webhooks with a JSON body, so only methods that carry one. */
const method = z
  .string()
  .transform((m) => m.toUpperCase())
  .pipe(z.enum(['POST'], { message: 'Parley sends event webhooks as POST' }));

const webhookUrl = z.object({ address: url, http_method: method.optional() }).loose();

const updateSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    capabilities: z
      .object({
        rtc: z
          .object({
            webhooks: z
              .object({ event_url: webhookUrl.optional(), ephemeral_events: z.boolean().optional() })
              .loose()
              .optional(),
          })
          .loose()
          .optional(),
        voice: z
          .object({
            webhooks: z
              .object({ answer_url: z.object({ address: url }).loose().optional() })
              .loose()
              .optional(),
          })
          .loose()
          .optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

const statusQuery = z
  .object({ status: z.enum(['pending', 'delivered', 'failed', 'queued']).optional() })
  .loose();

const isoTime = z
  .string()
  .datetime({ offset: true })
  .transform((t) => new Date(t).toISOString());
const replaySchema = z.union([
  z.object({ failed: z.literal(true) }).strict(),
  z.object({ from: isoTime, to: isoTime }).strict(),
]);

/**
 * `PUT /v2/applications/:id` and the webhook deliveries of an application, guarded like the rest of `/v2`
 * by HTTP Basic with the API key and secret.
 */
export function webhookRoutes(app: FastifyInstance, credentials: ApiCredentials, admin: WebhooksAdmin): void {
  app.addHook('preHandler', async (request) => {
    await credentials.check(request.headers.authorization);
  });

  app.put('/v2/applications/:id', async (request) => {
    const { id } = idParams(request);
    const input = validate(updateSchema, request.body);
    const rtc = input.capabilities?.rtc;
    const voice = input.capabilities?.voice;
    // A capability given without a URL removes that URL, as Vonage's PUT replaces the capability.
    const application = await admin.update(id, {
      name: input.name,
      eventUrl: rtc === undefined ? undefined : (rtc.webhooks?.event_url?.address ?? null),
      answerUrl: voice === undefined ? undefined : (voice.webhooks?.answer_url?.address ?? null),
      ephemeral: rtc?.webhooks?.ephemeral_events,
    });
    return renderApplication(requestUrl(request).origin, application);
  });

  app.get('/v2/applications/:id/webhook-deliveries', async (request) => {
    const { id } = idParams(request);
    const { status } = validate(statusQuery, request.query, 'query');
    // Newest first unless the caller asks otherwise.
    const query = (request.query ?? {}) as Record<string, unknown>;
    const page = pageQuery(request);
    if (query.order === undefined) page.order = 'desc';
    const result = await admin.deliveries(id, page, status);
    return {
      page_size: page.limit,
      _embedded: { deliveries: result.items.map(renderDelivery) },
      _links: pageLinks(request, result.next),
    };
  });

  app.post('/v2/applications/:id/webhook-deliveries/replay', async (request, reply) => {
    const { id } = idParams(request);
    const selection = validate(replaySchema, request.body);
    const queued = await admin.replay(id, selection);
    return reply.status(202).send({ queued });
  });
}

export function renderDelivery(d: DeliveryRecord) {
  return {
    id: d.id,
    conversation_id: d.conversationId,
    event_id: d.eventId,
    event_type: d.eventType,
    status: d.status,
    attempts: d.attempts,
    last_status: d.lastStatus,
    last_error: d.lastError,
    first_attempt: d.firstAttempt,
    next_attempt: d.nextAttempt,
    created: d.created,
    updated: d.updated,
  };
}
