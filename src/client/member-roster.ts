import type { PushedEvent, RealtimeMember } from '../protocol/realtime.js';
import { ClientErrorCode } from './codes.js';
import type { ConversationActions } from './conversation-actions.js';
import { ParleyClientError } from './errors.js';
import { Member, memberInit } from './member.js';
import { isRecord, memberTimestamps, type MemberState, type User } from './wire.js';

const STATE_OF_EVENT: Record<string, MemberState> = {
  'member:invited': 'INVITED',
  'member:joined': 'JOINED',
  'member:left': 'LEFT',
};

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** A conversation's members, and which of them is you. */
export class MemberRoster {
  readonly members = new Map<string, Member>();
  me: Member | null = null;

  constructor(
    private readonly actions: ConversationActions,
    /** The logged-in user: their member is `me`. */
    private readonly self: User,
  ) {}

  /** Your own member; what only a member may do is refused without asking the server when you are none. */
  requireMe(): Member {
    if (!this.me)
      throw new ParleyClientError(ClientErrorCode.self, 'You are not a member of this conversation');
    return this.me;
  }

  /** Creates or updates a member from its wire shape. */
  upsert(wire: RealtimeMember): Member {
    const init = memberInit(wire);
    const known = this.members.get(init.id);
    if (!known) return this.add(new Member(this.actions, init));
    Object.assign(known, { ...init, user: { ...init.user }, online: init.online ?? known.online });
    return this.add(known);
  }

  /** Your membership as a conversation listing states it. */
  listed(memberId: string, state: MemberState): void {
    const known = this.members.get(memberId);
    if (known) known.state = state;
    else this.add(new Member(this.actions, { id: memberId, state, user: this.self }));
  }

  /**
   * Merges a snapshot. Member states change only through events, in order; a snapshot may set them only when
   * it is at least as new as the events seen (`fullState`). Presence always comes from it.
   */
  merge(members: readonly RealtimeMember[], fullState: boolean): void {
    for (const m of members) {
      const known = this.members.get(m.member_id);
      if (!known || fullState) this.upsert(m);
      else if (m.online !== undefined) known.online = m.online;
    }
  }

  /** Applies a member event: it is `from` the member it is about, with the user in the body. */
  applyEvent(wire: PushedEvent, changeState: boolean): Member {
    const { body } = wire;
    const user = isRecord(body.user) ? body.user : {};
    const id = wire.from ?? str(body.member_id) ?? '';
    const state = STATE_OF_EVENT[wire.type];
    const member =
      this.members.get(id) ??
      this.add(
        new Member(this.actions, {
          id,
          state: state ?? 'JOINED',
          user: {
            id: str(user.id) ?? str(user.user_id) ?? '',
            name: str(user.name) ?? '',
            display_name: str(user.display_name) ?? null,
          },
        }),
      );
    if (changeState && state) {
      member.state = state;
      member.timestamp = { ...member.timestamp, ...memberTimestamps(body.timestamp) };
      const invitedBy = str(body.invited_by);
      if (invitedBy !== undefined) member.invited_by = invitedBy;
      if (isRecord(body.channel) && typeof body.channel.type === 'string')
        member.channel = { type: body.channel.type };
    }
    return member;
  }

  /** The sending member; one not seen before is added from the user the event names. */
  sender(wire: PushedEvent): Member | null {
    if (wire.from === null) return null;
    const user = wire._embedded?.from_user ?? { id: '', name: '', display_name: null };
    return (
      this.members.get(wire.from) ??
      this.add(new Member(this.actions, { id: wire.from, state: 'JOINED', user }))
    );
  }

  /**
   * A `presence:update`: every member of the user it names comes online or goes offline; a batch
   * (`body.users`) names several users at once.
   */
  applyPresence(body: Record<string, unknown>): void {
    const changes = Array.isArray(body.users) ? body.users : [body];
    for (const change of changes) {
      if (isRecord(change)) this.setOnline(change.user_id, change.online);
    }
  }

  private setOnline(userId: unknown, online: unknown): void {
    if (typeof online !== 'boolean') return;
    for (const member of this.members.values()) if (member.user.id === userId) member.online = online;
  }

  private add(member: Member): Member {
    this.members.set(member.id, member);
    if (member.user.id === this.self.id) this.me = member;
    return member;
  }
}
