import type { EventView, MemberView } from '../../../core/views.js';
import type { ConversationRecord, MemberRecord, UserRecord } from '../../../store/records.js';
import { presentedName } from '../../vocabulary/conversation-name.js';
import type { Dialect } from './dialect.js';

/** Wire shapes every dialect shares: each carries the fields both SDKs read, which ignore the rest. */

export const embeddedUser = (user: UserRecord) => ({
  id: user.id,
  name: user.name,
  display_name: user.displayName,
});

export function renderUser(user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    name: user.name,
    display_name: user.displayName,
    image_url: user.imageUrl,
    timestamp: { created: user.created },
    properties: { custom_data: user.customData },
  };
}

/** The Vonage SDK reads `id`, `state`, `_embedded.user`; nexmo-client's Member reads `member_id`, `user_id`, `name`. */
export function renderMember({ member, user }: MemberView): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: member.id,
    member_id: member.id,
    conversation_id: member.conversationId,
    user_id: user.id,
    name: user.name,
    display_name: user.displayName,
    state: member.state,
    timestamp: member.timestamps,
    channel: member.channel,
    _embedded: { user: embeddedUser(user) },
  };
  if (member.invitedBy) out.invited_by = member.invitedBy;
  return out;
}

/** The fields of a conversation both dialects share; `state` is the conversation's (the Vonage SDK's enum). */
export function conversationFields(c: ConversationRecord): Record<string, unknown> {
  return {
    id: c.id,
    name: presentedName(c),
    display_name: c.displayName,
    image_url: c.imageUrl,
    state: c.state,
    sequence_number: c.lastEventId,
    timestamp: { created: c.created, updated: c.updated },
    properties: { custom_data: c.customData },
  };
}

export const memberSummary = (member: MemberRecord) => ({
  id: member.id,
  state: member.state,
  timestamp: member.timestamps,
  channel: member.channel,
});

export function renderEvent(dialect: Dialect, { event, fromUser }: EventView): Record<string, unknown> {
  const words = dialect.words(event.type, event.body);
  const type = words.type;
  let body = words.body;
  // A deleted event's body is empty; the Vonage SDK decodes a message's body by its message_type.
  if (type === 'message' && body.message_type === undefined) body = { message_type: 'text', text: '' };
  const out: Record<string, unknown> = {
    id: event.id,
    type,
    cid: event.conversationId,
    conversation_id: event.conversationId,
    from: event.from,
    timestamp: event.timestamp,
    body,
  };
  if (event.deleted) out.state = { deleted: event.deleted };
  if (event.from) {
    out._embedded = fromUser
      ? { from_member: { id: event.from }, from_user: embeddedUser(fromUser) }
      : { from_member: { id: event.from } };
  }
  return out;
}
