import { ParleyError } from '../protocol/errors.js';
import type { BanRecord, EventRecord, MemberRecord, MemberRole, NewEvent } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { Access } from './access.js';
import type { Principal } from './auth/principal.js';
import { nowIso } from './clock.js';
import type { EventSink } from './event-sink.js';
import type { MembersService } from './members-service.js';
import { requireAuthorityOver, type Actor } from './moderation.js';
import type { MemberView } from './views.js';

export interface ModerationPatch {
  role?: Exclude<MemberRole, 'owner'> | undefined;
  muted?: boolean | undefined;
}

/**
 * Roles, mutes and bans. Each change is written with the event that announces it in one transaction, under
 * the conversation lock every append and membership change also takes, so a send racing a mute or a ban is
 * wholly before it or refused.
 */
export class ModerationService {
  constructor(
    private readonly store: Store,
    private readonly access: Access,
    private readonly members: MembersService,
    private readonly sink: EventSink,
  ) {}

  /** Makes a member moderator or member (owner or application), or mutes or unmutes them (moderators too). */
  async patchMember(
    principal: Principal,
    conversationId: string,
    memberId: string,
    patch: ModerationPatch,
  ): Promise<MemberView> {
    const conversation = await this.access.conversation(principal, conversationId);
    const actor = await this.actor(principal, conversationId);
    const target = await this.store.getMember(memberId);
    if (!target || target.conversationId !== conversationId) throw new ParleyError('member:error:not-found');
    if (patch.role !== undefined) {
      if (actor !== 'application' && actor?.role !== 'owner') {
        throw new ParleyError('system:error:forbidden', 'Only an owner or the application may change roles');
      }
      requireAuthorityOver(actor, target, 'change roles');
    }
    if (patch.muted !== undefined) requireAuthorityOver(actor, target, 'mute others');
    const from = actorMemberId(actor);
    const { updated, events } = await this.store.transaction(async (tx) => {
      const updated = await tx.updateMember(memberId, { role: patch.role, muted: patch.muted });
      if (!updated) throw new ParleyError('member:error:not-found');
      const announced: NewEvent[] = [];
      const about = { member_id: updated.id, user_id: updated.userId };
      if (patch.role !== undefined)
        announced.push({ type: 'member:role', from, body: { ...about, role: patch.role } });
      if (patch.muted !== undefined) {
        announced.push({ type: 'member:muted', from, body: { ...about, muted: patch.muted } });
      }
      return { updated, events: await tx.appendEvents(conversation.id, announced, nowIso()) };
    });
    this.sink.publish(conversationId, events);
    return this.members.view(updated);
  }

  /** Bans a user: removed (`member:left` with the reason) if active, then refused on joining until unbanned. */
  async ban(
    principal: Principal,
    conversationId: string,
    userId: string,
    reason?: string,
  ): Promise<BanRecord> {
    const conversation = await this.access.conversation(principal, conversationId);
    const user = await this.access.user(principal, userId);
    const actor = await this.actor(principal, conversationId);
    const target = await this.store.getMemberByUser(conversationId, userId);
    requireAuthorityOver(actor, target, 'ban users');
    if (actor !== 'application' && actor?.userId === userId) {
      throw new ParleyError('system:error:forbidden', 'Nobody bans themselves');
    }
    const at = nowIso();
    const ban: BanRecord = { conversationId, userId, reason: reason ?? null, created: at };
    const { left, events } = await this.store.transaction(async (tx) => {
      await tx.putBan(ban);
      const current = await tx.getMemberByUser(conversationId, userId);
      const events: EventRecord[] = [];
      let left: MemberRecord | undefined;
      if (current && current.state !== 'LEFT') {
        left = await this.members.moveTo(tx, current, 'LEFT', at, current.invitedBy);
        const extra = { banned: true, ...(reason === undefined ? {} : { reason }) };
        events.push(...(await this.members.appendStateEvent(tx, conversation, left, user, at, extra)));
      }
      const body = { user_id: userId, ...(reason === undefined ? {} : { reason }) };
      events.push(
        ...(await tx.appendEvents(
          conversationId,
          [{ type: 'member:banned', from: actorMemberId(actor), body }],
          at,
        )),
      );
      return { left, events };
    });
    if (left) this.members.announce(left, events);
    else this.sink.publish(conversationId, events);
    return ban;
  }

  async unban(principal: Principal, conversationId: string, userId: string): Promise<void> {
    await this.access.conversation(principal, conversationId);
    const actor = await this.actor(principal, conversationId);
    requireAuthorityOver(actor, undefined, 'unban users');
    const events = await this.store.transaction(async (tx) => {
      if (!(await tx.deleteBan(conversationId, userId))) {
        throw new ParleyError('user:error:not-found', 'That user is not banned here');
      }
      const body = { user_id: userId };
      return tx.appendEvents(
        conversationId,
        [{ type: 'member:unbanned', from: actorMemberId(actor), body }],
        nowIso(),
      );
    });
    this.sink.publish(conversationId, events);
  }

  private async actor(principal: Principal, conversationId: string): Promise<Actor> {
    if (!principal.user) return 'application';
    return this.store.getMemberByUser(conversationId, principal.user.id);
  }
}

const actorMemberId = (actor: Actor): string | null =>
  actor === 'application' || actor === undefined ? null : actor.id;
