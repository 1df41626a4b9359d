import type { RealtimeMember } from '../protocol/realtime.js';
import type { Conversation } from './conversation.js';
import type { ConversationActions } from './conversation-actions.js';
import type { MemberState, MemberTimestamps, User } from './wire.js';

export interface MemberInit {
  id: string;
  user: User;
  state: MemberState;
  timestamp?: MemberTimestamps;
  online?: boolean;
  channel?: { type: string };
  invited_by?: string | null;
}

/** A user's membership of one conversation. */
export class Member {
  id: string;
  user: User;
  state: MemberState;
  /** When the member was invited, joined and left (ISO strings). */
  timestamp: MemberTimestamps;
  /** Whether the user has a live session; kept current by `presence:update` events. */
  online: boolean;
  channel: { type: string };
  /** The user name of whoever invited this member. */
  invited_by: string | null;
  readonly conversation: Conversation;

  /** @internal Members are made by the SDK. */
  constructor(
    private readonly actions: ConversationActions,
    init: MemberInit,
  ) {
    this.conversation = actions.conversation;
    this.id = init.id;
    this.user = { ...init.user };
    this.state = init.state;
    this.timestamp = { ...init.timestamp };
    this.online = init.online ?? false;
    this.channel = init.channel ?? { type: 'app' };
    this.invited_by = init.invited_by ?? null;
  }

  /** Removes this member from the conversation; for your own member this is leaving. */
  kick(): Promise<Member> {
    return this.actions.removeMember(this);
  }
}

export function memberInit(wire: RealtimeMember): MemberInit {
  const init: MemberInit = {
    id: wire.member_id,
    user: { id: wire.user_id, name: wire.name, display_name: wire.display_name },
    state: wire.state,
    timestamp: wire.timestamp,
    channel: wire.channel,
    invited_by: wire.invited_by ?? null,
  };
  if (wire.online !== undefined) init.online = wire.online;
  return init;
}
