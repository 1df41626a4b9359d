import type { MemberView, Receipts } from '../../core/views.js';
import type { PushedEvent, RealtimeConversation, RealtimeMember } from '../../protocol/realtime.js';
import type { ConversationRecord, EventRecord, MemberRecord, ReadState } from '../../store/records.js';
import { toStitchWords } from '../vocabulary/chat-vocabulary.js';

/** Records to the Stitch wire shapes (wire reference part A); shared by both transports. */

/** In the Stitch vocabulary: a successor SDK's text `message` is a `text` here. */
export function toPushedEvent(event: EventRecord, receipts?: Receipts): PushedEvent {
  const { type, body } = toStitchWords(event.type, event.body);
  const pushed: PushedEvent = {
    type,
    cid: event.conversationId,
    id: event.id,
    from: event.from,
    timestamp: event.timestamp,
    body,
  };
  if (event.deleted) pushed.state = { deleted: event.deleted };
  if (receipts) pushed.state = { seen_by: receipts.seenBy, delivered_to: receipts.deliveredTo };
  return pushed;
}

export function toRealtimeMember({ member, user }: MemberView, online?: boolean): RealtimeMember {
  const out: RealtimeMember = {
    member_id: member.id,
    user_id: user.id,
    name: user.name,
    display_name: user.displayName,
    state: member.state,
    role: member.role,
    muted: member.muted,
    timestamp: member.timestamps,
    channel: member.channel,
  };
  if (member.invitedBy) out.invited_by = member.invitedBy;
  if (online !== undefined) out.online = online;
  return out;
}

export function toRealtimeConversation(
  conversation: ConversationRecord,
  me?: MemberRecord | null,
  members?: RealtimeMember[],
  readState?: ReadState,
): RealtimeConversation {
  const out: RealtimeConversation = {
    id: conversation.id,
    name: conversation.name,
    display_name: conversation.displayName,
    timestamp: { created: conversation.created, updated: conversation.updated },
    sequence_number: conversation.lastEventId,
    join_policy: conversation.joinPolicy,
  };
  if (me) {
    out.member_id = me.id;
    out.state = me.state;
  }
  if (members) out.members = members;
  if (readState) {
    out.unread_count = readState.unreadCount;
    out.last_seen_event_id = readState.lastSeenEventId;
    out.last_delivered_event_id = readState.lastDeliveredEventId;
  }
  return out;
}
