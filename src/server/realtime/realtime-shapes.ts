import type { MemberView } from '../../core/views.js';
import type { PushedEvent, RealtimeConversation, RealtimeMember } from '../../protocol/realtime.js';
import type { ConversationRecord, EventRecord, MemberRecord } from '../../store/records.js';
import { toStitchWords } from '../vocabulary/chat-vocabulary.js';

/** Records to the Stitch wire shapes (wire reference part A); shared by both transports. */

/** In the Stitch vocabulary: a successor SDK's text `message` is a `text` here. */
export function toPushedEvent(event: EventRecord): PushedEvent {
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
  return pushed;
}

export function toRealtimeMember({ member, user }: MemberView, online?: boolean): RealtimeMember {
  const out: RealtimeMember = {
    member_id: member.id,
    user_id: user.id,
    name: user.name,
    display_name: user.displayName,
    state: member.state,
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
): RealtimeConversation {
  const out: RealtimeConversation = {
    id: conversation.id,
    name: conversation.name,
    display_name: conversation.displayName,
    timestamp: { created: conversation.created, updated: conversation.updated },
    sequence_number: conversation.lastEventId,
  };
  if (me) {
    out.member_id = me.id;
    out.state = me.state;
  }
  if (members) out.members = members;
  return out;
}
