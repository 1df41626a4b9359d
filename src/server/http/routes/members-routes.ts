import type { FastifyInstance } from 'fastify';
import type { Domain } from '../../../core/domain.js';
import { principalOf } from '../authenticate.js';
import { pageQuery, requestUrl } from '../pagination.js';
import { renderMember, renderList } from '../render.js';
import { z } from 'zod';
import { leaveReasonSchema, memberPatchSchema, newBanSchema, newMemberSchema } from '../schemas.js';
import { validate } from '../../validate.js';
import { banParams, conversationParams, memberParams } from './params.js';

const leaveBodySchema = z.object({ reason: leaveReasonSchema.optional() }).loose();

export function membersRoutes(app: FastifyInstance, domain: Domain): void {
  app.post('/v1/conversations/:cid/members', async (request, reply) => {
    const { cid } = conversationParams(request);
    const input = validate(newMemberSchema, request.body);
    const view = await domain.members.create(principalOf(request), cid, {
      user: { id: input.user.id, name: input.user.name },
      state: input.state,
      channel: input.channel,
    });
    return reply.status(201).send(renderMember(requestUrl(request).origin, view));
  });

  app.get('/v1/conversations/:cid/members', async (request) => {
    const { cid } = conversationParams(request);
    const page = pageQuery(request);
    const result = await domain.members.list(principalOf(request), cid, page);
    return renderList(request, page.limit, 'members', result, renderMember);
  });

  app.get('/v1/conversations/:cid/members/:mid', async (request) => {
    const { cid, mid } = memberParams(request);
    return renderMember(requestUrl(request).origin, await domain.members.get(principalOf(request), cid, mid));
  });

  app.patch('/v1/conversations/:cid/members/:mid', async (request) => {
    const { cid, mid } = memberParams(request);
    const patch = validate(memberPatchSchema, request.body);
    const principal = principalOf(request);
    const memberId = mid === 'me' ? (await domain.members.get(principal, cid, 'me')).member.id : mid;
    let view =
      patch.state === undefined
        ? undefined
        : await domain.members.update(principal, cid, memberId, patch.state, patch.reason);
    if (patch.role !== undefined || patch.muted !== undefined) {
      view = await domain.moderation.patchMember(principal, cid, memberId, {
        role: patch.role,
        muted: patch.muted,
      });
    }
    return renderMember(
      requestUrl(request).origin,
      view ?? (await domain.members.get(principal, cid, memberId)),
    );
  });

  // Leaving by DELETE, as older Vonage clients do; the body may carry a `reason`.
  app.delete('/v1/conversations/:cid/members/:mid', async (request, reply) => {
    const { cid, mid } = memberParams(request);
    const { reason } = validate(leaveBodySchema, request.body ?? {});
    const principal = principalOf(request);
    const memberId = mid === 'me' ? (await domain.members.get(principal, cid, 'me')).member.id : mid;
    await domain.members.update(principal, cid, memberId, 'LEFT', reason);
    return reply.status(204).send();
  });

  app.post('/v1/conversations/:cid/bans', async (request, reply) => {
    const { cid } = conversationParams(request);
    const input = validate(newBanSchema, request.body);
    const ban = await domain.moderation.ban(principalOf(request), cid, input.user_id, input.reason);
    return reply.status(201).send({
      conversation_id: ban.conversationId,
      user_id: ban.userId,
      reason: ban.reason,
      created: ban.created,
    });
  });

  app.delete('/v1/conversations/:cid/bans/:uid', async (request, reply) => {
    const { cid, uid } = banParams(request);
    await domain.moderation.unban(principalOf(request), cid, uid);
    return reply.status(204).send();
  });
}
