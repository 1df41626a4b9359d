import { z } from 'zod';
import { nowIso } from '../../core/clock.js';
import type { MediaService } from '../../core/media/media-service.js';
import { ParleyError } from '../../protocol/errors.js';
import type { ReplyOf, RequestOf } from '../../protocol/realtime-api.js';
import { validate } from '../validate.js';
import type { RequestContext } from './request-context.js';

type MediaType = 'image' | 'image:delivered' | 'image:seen';

const eventRef = z
  .object({ event_id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) })
  .loose();
const imageBody = z.object({ representations: z.record(z.string(), z.unknown()) }).loose();

/** The request's conversation and the sender's joined member in it, checked against the claimed `from`. */
function sender(ctx: RequestContext, request: { type: string; cid?: string; from?: string }) {
  const cid = request.cid;
  if (!cid) {
    throw new ParleyError('system:error:invalid-request', `${request.type} needs a cid`, {
      invalid_parameters: [{ name: 'cid', reason: 'required' }],
    });
  }
  const memberId = ctx.memberIn(cid);
  if (request.from !== undefined && request.from !== memberId)
    throw new ParleyError('event:error:invalid-from');
  return { cid, memberId };
}

function mediaOf(ctx: RequestContext): MediaService {
  if (!ctx.media) throw new ParleyError('system:error:unavailable', 'This server stores no media');
  return ctx.media;
}

/** `image` (Stitch `sendImage`), and its receipts, which work as `text:delivered` and `text:seen` do. */
export const MEDIA_HANDLERS: {
  [K in MediaType]: (ctx: RequestContext, request: RequestOf<K>) => Promise<ReplyOf<K>>;
} = {
  image: async (ctx, request) => {
    const { cid, memberId } = sender(ctx, request);
    const body = validate(imageBody, request.body ?? {}, 'body');
    const { event } = await mediaOf(ctx).send(
      ctx.principal,
      cid,
      { type: 'image', body, clientRef: request.client_ref },
      memberId,
    );
    return { id: event.id, timestamp: event.timestamp };
  },

  'image:delivered': (ctx, request) => {
    const { cid, memberId } = sender(ctx, request);
    const { event_id } = validate(eventRef, request.body ?? {}, 'body');
    ctx.hub.broadcastEphemeral({
      type: 'image:delivered',
      cid,
      from: memberId,
      timestamp: nowIso(),
      body: { event_id },
    });
    return Promise.resolve({});
  },

  'image:seen': async (ctx, request) => {
    const { cid, memberId } = sender(ctx, request);
    const { event_id } = validate(eventRef, request.body ?? {}, 'body');
    const { event } = await ctx.domain.events.send(
      ctx.principal,
      cid,
      { type: 'image:seen', body: { event_id } },
      memberId,
    );
    return { id: event.id, timestamp: event.timestamp };
  },
};
