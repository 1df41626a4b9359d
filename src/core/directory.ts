import type { Store } from '../store/store.js';
import type { ConversationRecord, MemberRecord, UserRecord } from '../store/records.js';

/**
 * Lookups by id for server code that renders what a principal was already allowed to receive (a fanned-out
 * event's sender, the caller's own member). They authorise nothing: a route that answers a request goes
 * through the services, which check the principal first.
 */
export interface Directory {
  conversation(id: string): Promise<ConversationRecord | undefined>;
  member(id: string): Promise<MemberRecord | undefined>;
  memberOfUser(conversationId: string, userId: string): Promise<MemberRecord | undefined>;
  user(id: string): Promise<UserRecord | undefined>;
}

export function storeDirectory(store: Store): Directory {
  return {
    conversation: (id) => store.getConversation(id),
    member: (id) => store.getMember(id),
    memberOfUser: (conversationId, userId) => store.getMemberByUser(conversationId, userId),
    user: (id) => store.getUser(id),
  };
}
