import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../../core/auth/principal.js';
import { nowIso } from '../../../core/clock.js';
import type { Domain } from '../../../core/domain.js';
import { MediaService } from '../../../core/media/media-service.js';
import { ParleyError } from '../../../protocol/errors.js';
import { validate } from '../../validate.js';
import { idOfGeneratedName } from '../../vocabulary/conversation-name.js';
import { principalOf } from '../authenticate.js';
import { pageQuery } from '../pagination.js';
import { newConversationSchema, newMemberSchema } from '../schemas.js';
import type { Dialect } from './dialect.js';
import { renderEvent, renderMember, renderUser } from './dialect-shapes.js';
import { dialectLinks } from './dialect-links.js';
import { eventHistory } from './event-history.js';
import { parseNewEvent } from './new-event.js';
import type { SuccessorOptions } from './successor-options.js';

const id = z.string().min(1).max(200);
const eventId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const params = <S extends z.ZodRawShape>(request: FastifyRequest, shape: S) =>
  validate(z.object(shape), request.params, 'path');

/**
 * The routes of one successor dialect, over the same services as `/v1`; only the envelopes differ, and the
 * dialect renders those. Every route is served under every prefix, as the SDKs mix them.
 */
export function dialectRoutes(
  app: FastifyInstance,
  domain: Domain,
  dialect: Dialect,
  options: SuccessorOptions,
): void {
  const p = dialect.prefix;

  app.get(`${p}/users/:id`, async (request) => {
    const principal = principalOf(request);
    return renderUser(await findUser(domain, principal, params(request, { id }).id));
  });

  app.get(`${p}/users/:id/conversations`, async (request) => {
    const principal = principalOf(request);
    const user = await findUser(domain, principal, params(request, { id }).id);
    const page = pageQuery(request);
    const result = await domain.conversations.listForUser(principal, user.id, page);
    return dialect.page(
      'conversations',
      result.items.map(({ conversation, member }) => dialect.membership(conversation, member)),
      page.limit,
      dialectLinks(request, page.limit, result.next),
    );
  });

  app.get(`${p}/users/:id/sessions`, async (request) => {
    const principal = principalOf(request);
    const user = await findUser(domain, principal, params(request, { id }).id);
    if (principal.user && principal.user.id !== user.id)
      throw new ParleyError('system:error:forbidden', 'Users may only list their own sessions');
    const sessions = options.sessions.ofUser(user.id).map((s) => ({ id: s.id, user_id: s.userId }));
    return {
      page_size: sessions.length,
      _embedded: { sessions },
      _links: dialectLinks(request, sessions.length, undefined),
    };
  });

  app.put(`${p}/sessions/:id`, (request) => {
    const principal = principalOf(request);
    const sessionId = params(request, { id }).id;
    const session = options.sessions.get(sessionId);
    const token = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')?.[1];
    // A session that is not live here keeps the token for its next reconnect, which carries it.
    if (session && token && session.userId === principal.user?.id) session.renew(token);
    return Promise.resolve({ session_id: sessionId });
  });

  app.post(`${p}/conversations`, async (request, reply) => {
    const input = validate(newConversationSchema, request.body ?? {});
    const conversation = await domain.conversations.create(principalOf(request), {
      name: input.name,
      displayName: input.display_name,
      imageUrl: input.image_url,
      customData: input.properties?.custom_data,
    });
    return reply.status(201).send(dialect.conversation(conversation, undefined));
  });

  app.get(`${p}/conversations`, async (request) => {
    const page = pageQuery(request);
    const result = await domain.conversations.list(principalOf(request), page);
    return dialect.page(
      'conversations',
      result.items.map((c) => dialect.conversation(c, undefined)),
      page.limit,
      dialectLinks(request, page.limit, result.next),
    );
  });

  app.get(`${p}/conversations/:id`, async (request) => {
    const principal = principalOf(request);
    const cid = await conversationId(domain, principal, params(request, { id }).id);
    const conversation = await domain.conversations.get(principal, cid);
    const me = principal.user ? await domain.directory.memberOfUser(cid, principal.user.id) : undefined;
    const members = dialect.embedsMembers ? await domain.members.all(principal, cid) : undefined;
    return dialect.conversation(conversation, me, members);
  });

  const update = async (request: FastifyRequest) => {
    const principal = principalOf(request);
    const cid = await conversationId(domain, principal, params(request, { id }).id);
    const input = validate(newConversationSchema, request.body ?? {});
    const conversation = await domain.conversations.update(principal, cid, {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.display_name !== undefined && { displayName: input.display_name }),
      ...(input.image_url !== undefined && { imageUrl: input.image_url }),
      ...(input.properties?.custom_data !== undefined && { customData: input.properties.custom_data }),
    });
    const me = principal.user ? await domain.directory.memberOfUser(cid, principal.user.id) : undefined;
    return dialect.conversation(conversation, me);
  };
  app.patch(`${p}/conversations/:id`, update);
  app.put(`${p}/conversations/:id`, update);

  app.delete(`${p}/conversations/:id`, async (request, reply) => {
    const principal = principalOf(request);
    await domain.conversations.delete(
      principal,
      await conversationId(domain, principal, params(request, { id }).id),
    );
    return reply.status(204).send();
  });

  app.post(`${p}/conversations/:cid/members`, async (request, reply) => {
    const { cid } = params(request, { cid: id });
    const input = validate(newMemberSchema, request.body);
    const view = await domain.members.create(principalOf(request), cid, {
      user: { id: input.user.id, name: input.user.name },
      state: input.state,
      channel: input.channel,
    });
    return reply.status(201).send(renderMember(view));
  });

  app.get(`${p}/conversations/:cid/members`, async (request) => {
    const { cid } = params(request, { cid: id });
    const page = pageQuery(request);
    const result = await domain.members.list(principalOf(request), cid, page);
    return dialect.page(
      'members',
      result.items.map(renderMember),
      page.limit,
      dialectLinks(request, page.limit, result.next),
    );
  });

  app.get(`${p}/conversations/:cid/members/:mid`, async (request) => {
    const { cid, mid } = params(request, { cid: id, mid: id });
    return renderMember(await domain.members.get(principalOf(request), cid, mid));
  });

  app.delete(`${p}/conversations/:cid/members/:mid`, async (request, reply) => {
    const { cid, mid } = params(request, { cid: id, mid: id });
    const principal = principalOf(request);
    const memberId = mid === 'me' ? (await domain.members.get(principal, cid, 'me')).member.id : mid;
    await domain.members.update(principal, cid, memberId, 'LEFT');
    return reply.status(204).send();
  });

  app.post(`${p}/conversations/:cid/events`, async (request, reply) => {
    const { cid } = params(request, { cid: id });
    const principal = principalOf(request);
    const input = parseNewEvent(request.body, options.maxTextBytes);
    if (input.relayed) {
      const from = await senderOf(domain, principal, cid, input.from);
      const timestamp = nowIso();
      options.relay({ type: input.type, cid, from, timestamp, body: input.body });
      return reply.status(200).send({ timestamp });
    }
    const media = options.media;
    const { event } =
      media && MediaService.carriesMedia(input.type, input.body)
        ? await media.send(principal, cid, input)
        : await domain.events.send(principal, cid, input);
    return reply.status(201).send({ id: event.id, timestamp: event.timestamp });
  });

  app.get(`${p}/conversations/:cid/events`, async (request) => {
    const { cid } = params(request, { cid: id });
    const principal = principalOf(request);
    return eventHistory(domain, dialect, principal, cid, request);
  });

  app.get(`${p}/conversations/:cid/events/:eid`, async (request) => {
    const { cid, eid } = params(request, { cid: id, eid: eventId });
    return renderEvent(dialect, await domain.events.get(principalOf(request), cid, eid));
  });

  app.delete(`${p}/conversations/:cid/events/:eid`, async (request, reply) => {
    const { cid, eid } = params(request, { cid: id, eid: eventId });
    await domain.events.delete(principalOf(request), cid, eid);
    await options.media?.release(cid, eid);
    return reply.status(204).send();
  });
}

/** A user by id, by name, or `me`; users see any user of their application, as Vonage let them. */
async function findUser(domain: Domain, principal: Principal, ref: string) {
  if (ref === 'me') {
    if (!principal.user) throw new ParleyError('user:error:not-found', 'An application token has no user');
    return principal.user;
  }
  if (ref.startsWith('USR-')) return domain.users.profile(principal, ref);
  const user = await domain.users.findByName(principal.application.id, ref);
  if (!user) throw new ParleyError('user:error:not-found', `No user named "${ref}"`);
  return user;
}

/** The id of a conversation named by id or by name (the Vonage SDK's `getConversation(idOrName)`). */
async function conversationId(domain: Domain, principal: Principal, ref: string): Promise<string> {
  if (ref.startsWith('CON-')) return ref;
  const generated = idOfGeneratedName(ref);
  if (generated) return generated;
  // No store lookup by name yet: walk the conversations the caller can see.
  let after: string | undefined;
  do {
    const page = await domain.conversations.list(principal, { limit: 100, order: 'asc', after });
    const found = page.items.find((c) => c.name === ref);
    if (found) return found.id;
    after = page.next;
  } while (after !== undefined);
  throw new ParleyError('conversation:error:not-found', `Conversation ${ref} not found`);
}

/** The member a relayed event comes from: the calling user's joined member, or for the application any. */
async function senderOf(
  domain: Domain,
  principal: Principal,
  cid: string,
  claimed: string | undefined,
): Promise<string | null> {
  if (!principal.user) return claimed ?? null;
  const { member } = await domain.members.get(principal, cid, 'me');
  if (member.state !== 'JOINED') throw new ParleyError('conversation:error:not-member');
  if (claimed !== undefined && claimed !== member.id) throw new ParleyError('event:error:invalid-from');
  return member.id;
}
