import { ParleyError } from '../protocol/errors.js';
import type {
  ConversationRecord,
  EventRecord,
  MemberRecord,
  MemberState,
  Page,
  PageQuery,
  UserRecord,
} from '../store/records.js';
import type { Membership, Store } from '../store/store.js';
import { allMemberships } from './all-memberships.js';
import { requireAuthorityOver } from './moderation.js';
import { VISIBLE_STATES, type Access } from './access.js';
import type { Principal } from './auth/principal.js';
import { nowIso } from './clock.js';
import type { EventSink } from './event-sink.js';
import { newMemberId } from './ids.js';
import type { MemberView } from './views.js';

export interface NewMember {
  user: { id?: string | undefined; name?: string | undefined };
  state: 'JOINED' | 'INVITED';
  channel?: MemberRecord['channel'] | undefined;
}

const EVENT_FOR_STATE = { JOINED: 'member:joined', INVITED: 'member:invited', LEFT: 'member:left' } as const;
const STAMP_FOR_STATE = { JOINED: 'joined', INVITED: 'invited', LEFT: 'left' } as const;

/** Which state changes a member may make: leave from anywhere active, (re)join from an invitation or after leaving. */
const TRANSITIONS: Record<MemberState, readonly MemberState[]> = {
  INVITED: ['JOINED', 'LEFT'],
  JOINED: ['LEFT'],
  LEFT: ['JOINED', 'INVITED'],
};

/** Why a member left: a moderator's words, or Vonage's `{code, text}`. */
export type LeaveReason = string | Record<string, unknown>;

export class MembersService {
  constructor(
    private readonly store: Store,
    private readonly access: Access,
    private readonly sink: EventSink,
  ) {}

  /**
   * Adds a user to a conversation as joined or invited. Users may join themselves and invite others while
   * joined; a user who left before keeps their member id when they come back.
   */
  async create(principal: Principal, conversationId: string, input: NewMember): Promise<MemberView> {
    const conversation = await this.access.conversation(principal, conversationId);
    const user = await this.resolveUser(principal, input.user);
    const acting = principal.user;
    let invitedBy: string | null = null;
    if (acting && acting.id !== user.id) {
      await this.access.self(principal, conversationId, ['JOINED']);
      if (input.state !== 'INVITED') {
        throw new ParleyError('system:error:forbidden', 'Users may invite others but not join them');
      }
      invitedBy = acting.name;
    } else if (acting) {
      await this.mayJoin(acting, conversation, input.state);
    }

    const at = nowIso();
    const { view, events } = await this.store.transaction(async (tx) => {
      const existing = await tx.getMemberByUser(conversation.id, user.id);
      let member: MemberRecord;
      if (!existing) {
        member = await tx.createMember({
          id: newMemberId(),
          conversationId: conversation.id,
          userId: user.id,
          state: input.state,
          role: conversation.createdBy === user.id ? 'owner' : 'member',
          muted: false,
          timestamps: { [STAMP_FOR_STATE[input.state]]: at },
          channel: input.channel ?? { type: 'app' },
          invitedBy,
          created: at,
        });
      } else {
        if (existing.state === 'JOINED' || existing.state === input.state) {
          throw new ParleyError(
            'member:error:already-member',
            `${user.name} is already ${existing.state.toLowerCase()}`,
          );
        }
        member = await this.moveTo(tx, existing, input.state, at, invitedBy ?? existing.invitedBy);
      }
      const events = await this.appendStateEvent(tx, conversation, member, user, at);
      return { view: { member, user }, events };
    });
    this.announce(view.member, events);
    return view;
  }

  /** Whether the member is muted (their typing is then not relayed). */
  async isMuted(memberId: string): Promise<boolean> {
    return (await this.store.getMember(memberId))?.muted ?? false;
  }

  /** A member by id, or the caller's own with the id `me`. */
  async get(principal: Principal, conversationId: string, memberId: string): Promise<MemberView> {
    await this.access.conversation(principal, conversationId);
    if (memberId === 'me') {
      if (!principal.user)
        throw new ParleyError('member:error:not-found', 'An application token has no member');
      const me = await this.store.getMemberByUser(conversationId, principal.user.id);
      if (!me) throw new ParleyError('conversation:error:not-member');
      return { member: me, user: principal.user };
    }
    await this.access.readable(principal, conversationId);
    const member = await this.store.getMember(memberId);
    if (!member || member.conversationId !== conversationId) throw new ParleyError('member:error:not-found');
    return this.view(member);
  }

  async list(principal: Principal, conversationId: string, page: PageQuery): Promise<Page<MemberView>> {
    await this.access.readable(principal, conversationId);
    const result = await this.store.listMembers(conversationId, page);
    const items = await Promise.all(result.items.map((m) => this.view(m)));
    return result.next === undefined ? { items } : { items, next: result.next };
  }

  /** Every member of the conversation, in any state, unpaginated (`conversation:get`). */
  async all(principal: Principal, conversationId: string): Promise<MemberView[]> {
    await this.access.readable(principal, conversationId);
    const members = await this.store.membersInStates(conversationId, ['JOINED', 'INVITED', 'LEFT']);
    return Promise.all(members.map((m) => this.view(m)));
  }

  /**
   * Moves a member to JOINED or LEFT. Users move their own member; owners and moderators may also remove
   * others (Stitch's `member.kick()`). A `reason` for leaving (a moderator's words, or Vonage's `{code, text}`)
   * goes into the `member:left` event's body.
   */
  async update(
    principal: Principal,
    conversationId: string,
    memberId: string,
    state: MemberState,
    reason?: LeaveReason,
  ): Promise<MemberView> {
    const conversation = await this.access.conversation(principal, conversationId);
    const member = await this.store.getMember(memberId);
    if (!member || member.conversationId !== conversationId) throw new ParleyError('member:error:not-found');
    if (principal.user && principal.user.id !== member.userId) {
      if (state !== 'LEFT') throw new ParleyError('system:error:forbidden', 'Users may only join themselves');
      const actor = await this.store.getMemberByUser(conversationId, principal.user.id);
      requireAuthorityOver(actor, member, 'remove others');
    }
    const view = await this.view(member);
    const at = nowIso();
    const { updated, events } = await this.store.transaction(async (tx) => {
      const current = await tx.getMember(memberId);
      if (!current) throw new ParleyError('member:error:not-found');
      const updated = await this.moveTo(tx, current, state, at, current.invitedBy);
      return {
        updated,
        events: await this.appendStateEvent(tx, conversation, updated, view.user, at, {}, reason),
      };
    });
    this.announce(updated, events);
    return { member: updated, user: view.user };
  }

  /** Marks every active membership of the user LEFT, announcing it in each conversation. */
  async leaveAll(user: UserRecord): Promise<void> {
    for (;;) {
      const page = await this.store.listUserConversations(
        user.id,
        { limit: 100, order: 'asc' },
        { states: VISIBLE_STATES },
      );
      if (page.items.length === 0) return;
      for (const { conversation, member } of page.items) {
        const at = nowIso();
        const events = await this.store.transaction(async (tx) => {
          const left = await this.moveTo(tx, member, 'LEFT', at, member.invitedBy);
          return { left, events: await this.appendStateEvent(tx, conversation, left, user, at) };
        });
        this.announce(events.left, events.events);
      }
    }
  }

  /** The conversations the user is JOINED to, with their member in each (a realtime login subscribes to these). */
  joinedBy(userId: string): Promise<Membership[]> {
    return allMemberships(this.store, userId, ['JOINED']);
  }

  /** Publishes a committed state change: the membership as data first, then the event that announced it. */
  announce(member: MemberRecord, events: EventRecord[]): void {
    const [event] = events;
    if (event) {
      this.sink.membershipChanged({
        cid: member.conversationId,
        userId: member.userId,
        memberId: member.id,
        state: member.state,
        event,
      });
    }
    this.sink.publish(member.conversationId, events);
  }

  /**
   * Any user of the application may join an `open` conversation; an `invite` one only its creator and users
   * invited into it. Nobody invites themselves.
   */
  private async mayJoin(
    user: UserRecord,
    conversation: ConversationRecord,
    state: NewMember['state'],
  ): Promise<void> {
    if (state !== 'JOINED') throw new ParleyError('system:error:forbidden', 'Users cannot invite themselves');
    if (conversation.createdBy === user.id || conversation.joinPolicy === 'open') return;
    const existing = await this.store.getMemberByUser(conversation.id, user.id);
    // A JOINED member gets `already-member` from the join itself.
    if (existing?.state !== 'INVITED' && existing?.state !== 'JOINED') {
      throw new ParleyError('conversation:error:invite-only');
    }
  }

  async view(member: MemberRecord): Promise<MemberView> {
    const user = await this.store.getUser(member.userId);
    if (!user)
      throw new ParleyError('user:error:not-found', `The user of member ${member.id} no longer exists`);
    return { member, user };
  }

  private async resolveUser(principal: Principal, ref: NewMember['user']): Promise<UserRecord> {
    if (ref.id !== undefined) return this.access.user(principal, ref.id);
    if (ref.name !== undefined) {
      const user = await this.store.getUserByName(principal.application.id, ref.name);
      if (!user) throw new ParleyError('user:error:not-found', `No user named "${ref.name}"`);
      return user;
    }
    throw new ParleyError('http:error:validation-fail', 'Name the user by user.id or user.name', {
      invalid_parameters: [{ name: 'user', reason: 'required' }],
    });
  }

  async moveTo(
    tx: Store,
    member: MemberRecord,
    state: MemberState,
    at: string,
    invitedBy: string | null,
  ): Promise<MemberRecord> {
    if (!TRANSITIONS[member.state].includes(state)) {
      throw new ParleyError('member:error:invalid-state', `A ${member.state} member cannot become ${state}`);
    }
    const updated = await tx.updateMember(member.id, {
      state,
      timestamps: { ...member.timestamps, [STAMP_FOR_STATE[state]]: at },
      invitedBy,
    });
    if (!updated) throw new ParleyError('member:error:not-found');
    return updated;
  }

  /** Appends the `member:*` event announcing the member's state; `extra` adds to its body (a removal's reason). */
  appendStateEvent(
    tx: Store,
    conversation: ConversationRecord,
    member: MemberRecord,
    user: UserRecord,
    at: string,
    extra: Record<string, unknown> = {},
    reason?: LeaveReason,
  ): Promise<EventRecord[]> {
    const body: Record<string, unknown> = {
      ...extra,
      user: { id: user.id, user_id: user.id, name: user.name, display_name: user.displayName },
      channel: member.channel,
      state: member.state,
      timestamp: member.timestamps,
      member_id: member.id,
    };
    if (member.invitedBy) body.invited_by = member.invitedBy;
    if (reason !== undefined && member.state === 'LEFT') body.reason = reason;
    return tx.appendEvents(
      conversation.id,
      [{ type: EVENT_FOR_STATE[member.state], from: member.id, body }],
      at,
    );
  }
}
