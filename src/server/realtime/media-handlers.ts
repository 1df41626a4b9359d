import { z } from 'zod';
import type { Principal } from '../../core/auth/principal.js';
import { nowIso } from '../../core/clock.js';
import type { MediaService } from '../../core/media/media-service.js';
import { ParleyError } from '../../protocol/errors.js';
import type { RealtimeRequest } from '../../protocol/realtime.js';
import { validate } from '../validate.js';
import type { RealtimeSession } from './realtime-session.js';

type Handler = (session: RealtimeSession, request: RealtimeRequest) => Promise<unknown>;

const eventRef = z
  .object({ event_id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) })
  .loose();
const imageBody = z.object({ representations: z.record(z.string(), z.unknown()) }).loose();

/** The session's user, its joined member in the request's conversation, and that conversation. */
function sender(session: RealtimeSession, request: RealtimeRequest) {
  const principal: Principal | null = session.principal;
  if (!principal) throw new ParleyError('session:error:not-logged-in');
  const cid = request.cid;
  if (!cid) {
    throw new ParleyError('system:error:invalid-request', `${request.type} needs a cid`, {
      invalid_parameters: [{ name: 'cid', reason: 'required' }],
    });
  }
  const memberId = session.joined.get(cid);
  if (!memberId) throw new ParleyError('conversation:error:not-member');
  if (request.from !== undefined && request.from !== memberId)
    throw new ParleyError('event:error:invalid-from');
  return { principal, cid, memberId };
}

function mediaOf(session: RealtimeSession): MediaService {
  const media = session.ctx.media;
  if (!media) throw new ParleyError('system:error:unavailable', 'This server stores no media');
  return media;
}

/** `image` (Stitch `sendImage`), and its receipts, which work as `text:delivered` and `text:seen` do. */
export const MEDIA_HANDLERS = {
  image: async (session, request) => {
    const { principal, cid, memberId } = sender(session, request);
    const body = validate(imageBody, request.body ?? {}, 'body');
    const { event } = await mediaOf(session).send(
      principal,
      cid,
      { type: 'image', body, clientRef: request.client_ref },
      memberId,
    );
    return { id: event.id, timestamp: event.timestamp };
  },

  'image:delivered': (session, request) => {
    const { cid, memberId } = sender(session, request);
    const { event_id } = validate(eventRef, request.body ?? {}, 'body');
    session.ctx.hub.broadcastEphemeral({
      type: 'image:delivered',
      cid,
      from: memberId,
      timestamp: nowIso(),
      body: { event_id },
    });
    return Promise.resolve({});
  },

  'image:seen': async (session, request) => {
    const { principal, cid, memberId } = sender(session, request);
    const { event_id } = validate(eventRef, request.body ?? {}, 'body');
    const event = await session.ctx.domain.events.createAsMember(principal, cid, memberId, {
      type: 'image:seen',
      body: { event_id },
    });
    return { id: event.id, timestamp: event.timestamp };
  },
} satisfies Record<'image' | 'image:delivered' | 'image:seen', Handler>;
