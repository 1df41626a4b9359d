import { z } from 'zod';
import { nowIso } from '../../core/clock.js';
import { ParleyError } from '../../protocol/errors.js';
import type { RequestType } from '../../protocol/realtime.js';
import type { EmptyReply, ReplyOf, RequestOf } from '../../protocol/realtime-api.js';
import { validate } from '../validate.js';
import type { RequestContext } from './request-context.js';
import { MEDIA_HANDLERS } from './media-handlers.js';
import { toPushedEvent, toRealtimeConversation, toRealtimeMember } from './realtime-shapes.js';

/** Requests that change the session itself; `RealtimeSession` answers these with its own methods. */
export type LifecycleType = 'session:login' | 'session:update-token' | 'session:logout' | 'ping';
export type HandledType = Exclude<RequestType, LifecycleType>;

/**
 * One handler per request type. The envelope is checked before a handler runs; the body is typed by
 * `RealtimeApi` but still unchecked, so each handler validates what it reads with zod.
 */
export type Handlers = {
  [K in HandledType]: (ctx: RequestContext, request: RequestOf<K>) => Promise<ReplyOf<K>>;
};

const DEFAULT_HISTORY = 100;
const MAX_HISTORY = 1000;

const eventRef = z
  .object({ event_id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) })
  .loose();
const textBody = z.object({ text: z.string().min(1) }).loose();
const historyBody = z
  .object({
    start_id: z.coerce.number().int().positive().optional(),
    end_id: z.coerce.number().int().positive().optional(),
    page_size: z.coerce.number().int().min(1).max(MAX_HISTORY).optional(),
    order: z.enum(['asc', 'desc']).optional(),
  })
  .loose();
const userRef = z
  .object({ user_id: z.string().max(100).optional(), user_name: z.string().max(200).optional() })
  .loose();
const newConversationBody = z
  .object({ name: z.string().min(1).max(200).optional(), display_name: z.string().max(200).optional() })
  .loose();
const memberRef = z.object({ member_id: z.string().max(100).optional() }).loose();

interface Addressed {
  type: string;
  cid?: string;
  from?: string;
  body?: unknown;
}

const cidOf = (request: Addressed): string => {
  if (!request.cid) {
    throw new ParleyError('system:error:invalid-request', `${request.type} needs a cid`, {
      invalid_parameters: [{ name: 'cid', reason: 'required' }],
    });
  }
  return request.cid;
};

const bodyOf = <S extends z.ZodType>(schema: S, request: Addressed): z.output<S> =>
  validate(schema, request.body ?? {}, 'body');

/** The sender's own joined member in the request's `cid`, checked against the `from` the client claims. */
function senderIn(ctx: RequestContext, request: Addressed): string {
  const memberId = ctx.memberIn(cidOf(request));
  if (request.from !== undefined && request.from !== memberId)
    throw new ParleyError('event:error:invalid-from');
  return memberId;
}

function ephemeral(
  type: 'text:typing:on' | 'text:typing:off' | 'text:delivered',
): (ctx: RequestContext, request: Addressed) => Promise<EmptyReply> {
  return (ctx, request) => {
    const from = senderIn(ctx, request);
    const body =
      type === 'text:delivered'
        ? { event_id: bodyOf(eventRef, request).event_id }
        : { activity: type === 'text:typing:on' ? 1 : 0 };
    ctx.hub.broadcastEphemeral({ type, cid: cidOf(request), from, timestamp: nowIso(), body });
    return Promise.resolve({});
  };
}

export const HANDLERS: Handlers = {
  'user:get': async (ctx, request) => {
    const { user_id } = bodyOf(userRef, request);
    if (!user_id) throw new ParleyError('system:error:invalid-request', 'user:get needs body.user_id');
    const user = await ctx.domain.users.profile(ctx.principal, user_id);
    return { id: user.id, name: user.name, display_name: user.displayName, image_url: user.imageUrl };
  },

  'user:conversations': async (ctx) => {
    const all = await ctx.domain.conversations.allForUser(ctx.principal);
    return all.map(({ conversation, member }) => toRealtimeConversation(conversation, member));
  },

  'conversation:get': async (ctx, request) => {
    const cid = cidOf(request);
    const { domain, hub, principal } = ctx;
    const conversation = await domain.conversations.get(principal, cid);
    const members = await domain.members.all(principal, cid);
    const me = members.find((m) => m.user.id === principal.user?.id)?.member;
    return toRealtimeConversation(
      conversation,
      me,
      members.map((m) => toRealtimeMember(m, hub.isOnline(m.user.id))),
    );
  },

  'conversation:events': async (ctx, request) => {
    const cid = cidOf(request);
    const q = bodyOf(historyBody, request);
    const limit = q.page_size ?? (q.start_id === undefined ? DEFAULT_HISTORY : MAX_HISTORY);
    const order = q.order ?? (q.start_id === undefined ? 'desc' : 'asc');
    const page = await ctx.domain.events.list(ctx.principal, cid, {
      limit,
      order,
      startId: q.start_id,
      endId: q.end_id,
    });
    const events = page.items.map((v) => toPushedEvent(v.event));
    // Always answer oldest first; "desc" only picks the newest page.
    return order === 'desc' ? events.reverse() : events;
  },

  'new:conversation': async (ctx, request) => {
    const input = bodyOf(newConversationBody, request);
    const conversation = await ctx.domain.conversations.create(ctx.principal, {
      name: input.name,
      displayName: input.display_name,
    });
    return toRealtimeConversation(conversation);
  },

  'conversation:join': async (ctx, request) => {
    const { principal } = ctx;
    const ref = bodyOf(userRef, request);
    const view = await ctx.domain.members.create(principal, cidOf(request), {
      user: ref.user_id
        ? { id: ref.user_id }
        : ref.user_name
          ? { name: ref.user_name }
          : { id: principal.user?.id },
      state: 'JOINED',
    });
    return toRealtimeMember(view, ctx.hub.isOnline(view.user.id));
  },

  'conversation:invite': async (ctx, request) => {
    const ref = bodyOf(userRef, request);
    const view = await ctx.domain.members.create(ctx.principal, cidOf(request), {
      user: ref.user_id ? { id: ref.user_id } : { name: ref.user_name },
      state: 'INVITED',
    });
    return toRealtimeMember(view, ctx.hub.isOnline(view.user.id));
  },

  'conversation:member:delete': async (ctx, request) => {
    const memberId = bodyOf(memberRef, request).member_id ?? request.to;
    if (!memberId)
      throw new ParleyError('system:error:invalid-request', 'Name the member in body.member_id or to');
    const view = await ctx.domain.members.update(ctx.principal, cidOf(request), memberId, 'LEFT');
    return toRealtimeMember(view);
  },

  'conversation:delete': async (ctx, request) => {
    await ctx.domain.conversations.delete(ctx.principal, cidOf(request));
    return {};
  },

  text: async (ctx, request) => {
    const memberId = senderIn(ctx, request);
    const { text } = bodyOf(textBody, request);
    const { event } = await ctx.domain.events.send(
      ctx.principal,
      cidOf(request),
      { type: 'text', body: { text }, clientRef: request.client_ref },
      memberId,
    );
    return { id: event.id, timestamp: event.timestamp };
  },

  'text:typing:on': ephemeral('text:typing:on'),
  'text:typing:off': ephemeral('text:typing:off'),
  'text:delivered': ephemeral('text:delivered'),

  'text:seen': async (ctx, request) => {
    const memberId = senderIn(ctx, request);
    const { event_id } = bodyOf(eventRef, request);
    const { event } = await ctx.domain.events.send(
      ctx.principal,
      cidOf(request),
      { type: 'text:seen', body: { event_id } },
      memberId,
    );
    return { id: event.id, timestamp: event.timestamp };
  },

  'event:delete': async (ctx, request) => {
    senderIn(ctx, request);
    const { event_id } = bodyOf(eventRef, request);
    await ctx.domain.events.delete(ctx.principal, cidOf(request), event_id);
    await ctx.media?.release(cidOf(request), event_id);
    return {};
  },

  ...MEDIA_HANDLERS,
};
