import { z } from 'zod';
import type { Principal } from '../../core/auth/principal.js';
import { nowIso } from '../../core/clock.js';
import { ParleyError } from '../../protocol/errors.js';
import type { RealtimeRequest, RequestType } from '../../protocol/realtime.js';
import { validate } from '../validate.js';
import { toPushedEvent, toRealtimeConversation, toRealtimeMember } from './realtime-shapes.js';
import type { RealtimeSession } from './realtime-session.js';
import { MEDIA_HANDLERS } from './media-handlers.js';

type Handler = (session: RealtimeSession, request: RealtimeRequest) => Promise<unknown>;

const DEFAULT_HISTORY = 100;
const MAX_HISTORY = 1000;

const tokenBody = z.object({ token: z.string().min(1).max(16_384) }).loose();
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

const principalOf = (session: RealtimeSession): Principal => {
  if (!session.principal) throw new ParleyError('session:error:not-logged-in');
  return session.principal;
};

const cidOf = (request: RealtimeRequest): string => {
  if (!request.cid) {
    throw new ParleyError('system:error:invalid-request', `${request.type} needs a cid`, {
      invalid_parameters: [{ name: 'cid', reason: 'required' }],
    });
  }
  return request.cid;
};

const bodyOf = <S extends z.ZodType>(schema: S, request: RealtimeRequest): z.output<S> =>
  validate(schema, request.body ?? {}, 'body');

/**
 * The principal to read a conversation as: the user's own, or for a conversation this session created and
 * has not joined yet, the application's (read-only use: conversation:get and conversation:events).
 */
async function readerFor(session: RealtimeSession, cid: string): Promise<Principal> {
  const principal = principalOf(session);
  if (!session.created.has(cid) || !principal.user) return principal;
  const member = await session.ctx.domain.store.getMemberByUser(cid, principal.user.id);
  return member ? principal : { ...principal, user: null };
}

/** The sender's own joined member in `cid`, checked against the `from` the client claims. */
function joinedMember(session: RealtimeSession, request: RealtimeRequest): string {
  const cid = cidOf(request);
  const memberId = session.joined.get(cid);
  if (!memberId) throw new ParleyError('conversation:error:not-member');
  if (request.from !== undefined && request.from !== memberId)
    throw new ParleyError('event:error:invalid-from');
  return memberId;
}

async function conversationBody(session: RealtimeSession, cid: string) {
  const { domain, hub } = session.ctx;
  const principal = await readerFor(session, cid);
  const conversation = await domain.conversations.get(principal, cid);
  const members = await domain.members.all(principal, cid);
  const me = principal.user ? members.find((m) => m.user.id === principal.user?.id)?.member : undefined;
  return toRealtimeConversation(
    conversation,
    me,
    members.map((m) => toRealtimeMember(m, hub.isOnline(m.user.id))),
  );
}

function ephemeral(type: 'text:typing:on' | 'text:typing:off' | 'text:delivered'): Handler {
  return (session, request) => {
    const from = joinedMember(session, request);
    const body =
      type === 'text:delivered'
        ? { event_id: bodyOf(eventRef, request).event_id }
        : { activity: type === 'text:typing:on' ? 1 : 0 };
    session.ctx.hub.broadcastEphemeral({ type, cid: cidOf(request), from, timestamp: nowIso(), body });
    return Promise.resolve({});
  };
}

export const HANDLERS: Record<RequestType, Handler> = {
  'session:login': async (session, request) => {
    const principal = await session.authenticate(bodyOf(tokenBody, request).token);
    const user = principal.user;
    if (!user) throw new ParleyError('session:error:user-required');
    return { id: session.id, user_id: user.id, name: user.name, display_name: user.displayName };
  },

  'session:update-token': async (session, request) => {
    await session.authenticate(bodyOf(tokenBody, request).token);
    return {};
  },

  'session:logout': () => Promise.resolve({}),

  ping: () => Promise.resolve({}),

  'user:get': async (session, request) => {
    const { user_id } = bodyOf(userRef, request);
    if (!user_id) throw new ParleyError('system:error:invalid-request', 'user:get needs body.user_id');
    const user = await session.ctx.domain.users.profile(principalOf(session), user_id);
    return { id: user.id, name: user.name, display_name: user.displayName, image_url: user.imageUrl };
  },

  'user:conversations': async (session) => {
    const principal = principalOf(session);
    const all = await session.ctx.domain.conversations.allForUser(principal);
    return all.map(({ conversation, member }) => toRealtimeConversation(conversation, member));
  },

  'conversation:get': (session, request) => conversationBody(session, cidOf(request)),

  'conversation:events': async (session, request) => {
    const cid = cidOf(request);
    const q = bodyOf(historyBody, request);
    const principal = await readerFor(session, cid);
    const limit = q.page_size ?? (q.start_id === undefined ? DEFAULT_HISTORY : MAX_HISTORY);
    const order = q.order ?? (q.start_id === undefined ? 'desc' : 'asc');
    const page = await session.ctx.domain.events.list(principal, cid, {
      limit,
      order,
      startId: q.start_id,
      endId: q.end_id,
    });
    const events = page.items.map((v) => toPushedEvent(v.event));
    // Always answer oldest first; "desc" only picks the newest page.
    return order === 'desc' ? events.reverse() : events;
  },

  'new:conversation': async (session, request) => {
    const input = bodyOf(newConversationBody, request);
    const conversation = await session.ctx.domain.conversations.create(principalOf(session), {
      name: input.name,
      displayName: input.display_name,
    });
    session.created.add(conversation.id);
    return toRealtimeConversation(conversation);
  },

  'conversation:join': async (session, request) => {
    const principal = principalOf(session);
    const ref = bodyOf(userRef, request);
    const view = await session.ctx.domain.members.create(principal, cidOf(request), {
      user: ref.user_id
        ? { id: ref.user_id }
        : ref.user_name
          ? { name: ref.user_name }
          : { id: principal.user?.id },
      state: 'JOINED',
    });
    return toRealtimeMember(view, session.ctx.hub.isOnline(view.user.id));
  },

  'conversation:invite': async (session, request) => {
    const ref = bodyOf(userRef, request);
    const view = await session.ctx.domain.members.create(principalOf(session), cidOf(request), {
      user: ref.user_id ? { id: ref.user_id } : { name: ref.user_name },
      state: 'INVITED',
    });
    return toRealtimeMember(view, session.ctx.hub.isOnline(view.user.id));
  },

  'conversation:member:delete': async (session, request) => {
    const { member_id } = bodyOf(z.object({ member_id: z.string().max(100).optional() }).loose(), request);
    const memberId = member_id ?? request.to;
    if (!memberId)
      throw new ParleyError('system:error:invalid-request', 'Name the member in body.member_id or to');
    const view = await session.ctx.domain.members.update(
      principalOf(session),
      cidOf(request),
      memberId,
      'LEFT',
    );
    return toRealtimeMember(view);
  },

  'conversation:delete': async (session, request) => {
    await session.ctx.domain.conversations.delete(principalOf(session), cidOf(request));
    return {};
  },

  text: async (session, request) => {
    const memberId = joinedMember(session, request);
    const { text } = bodyOf(textBody, request);
    if (Buffer.byteLength(text) > session.ctx.limits.maxTextBytes) {
      throw new ParleyError(
        'system:error:too-large',
        `A text may have at most ${session.ctx.limits.maxTextBytes} bytes`,
      );
    }
    const event = await session.ctx.domain.events.createAsMember(
      principalOf(session),
      cidOf(request),
      memberId,
      {
        type: 'text',
        body: { text },
        clientRef: request.client_ref,
      },
    );
    return { id: event.id, timestamp: event.timestamp };
  },

  'text:typing:on': ephemeral('text:typing:on'),
  'text:typing:off': ephemeral('text:typing:off'),
  'text:delivered': ephemeral('text:delivered'),

  'text:seen': async (session, request) => {
    const memberId = joinedMember(session, request);
    const { event_id } = bodyOf(eventRef, request);
    const event = await session.ctx.domain.events.createAsMember(
      principalOf(session),
      cidOf(request),
      memberId,
      {
        type: 'text:seen',
        body: { event_id },
      },
    );
    return { id: event.id, timestamp: event.timestamp };
  },

  'event:delete': async (session, request) => {
    joinedMember(session, request);
    const { event_id } = bodyOf(eventRef, request);
    await session.ctx.domain.events.delete(principalOf(session), cidOf(request), event_id);
    await session.ctx.media?.release(cidOf(request), event_id);
    return {};
  },

  ...MEDIA_HANDLERS,
};
