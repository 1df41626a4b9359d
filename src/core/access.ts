import { ParleyError } from '../protocol/errors.js';
import type { ConversationRecord, MemberRecord, MemberState, UserRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { Principal } from './auth/principal.js';

/** Loads resources on behalf of a principal, enforcing application isolation and membership. */
export class Access {
  constructor(private readonly store: Store) {}

  async conversation(principal: Principal, id: string): Promise<ConversationRecord> {
    const conversation = await this.store.getConversation(id);
    if (!conversation) throw new ParleyError('conversation:error:not-found', `Conversation ${id} not found`);
    if (conversation.applicationId !== principal.application.id)
      throw new ParleyError('system:error:cross-application');
    return conversation;
  }

  async user(principal: Principal, id: string): Promise<UserRecord> {
    const user = await this.store.getUser(id);
    if (!user) throw new ParleyError('user:error:not-found', `User ${id} not found`);
    if (user.applicationId !== principal.application.id)
      throw new ParleyError('system:error:cross-application');
    return user;
  }

  /**
   * The caller's own member in the conversation when they act as a user, required to be in one of `states`;
   * null for application principals, which may act on any conversation of their application.
   */
  async self(
    principal: Principal,
    conversationId: string,
    states: MemberState[],
  ): Promise<MemberRecord | null> {
    if (!principal.user) return null;
    const member = await this.store.getMemberByUser(conversationId, principal.user.id);
    if (!member || !states.includes(member.state)) throw new ParleyError('conversation:error:not-member');
    return member;
  }

  /**
   * The conversation, if the principal may read it (see `canRead`); otherwise `conversation:error:not-member`.
   * The one read rule for REST and realtime alike.
   */
  async readable(principal: Principal, id: string): Promise<ConversationRecord> {
    const conversation = await this.conversation(principal, id);
    const member = principal.user ? await this.store.getMemberByUser(id, principal.user.id) : undefined;
    if (!canRead(principal, conversation, member)) throw new ParleyError('conversation:error:not-member');
    return conversation;
  }

  requireApplication(principal: Principal): void {
    if (principal.user) throw new ParleyError('system:error:forbidden', 'This needs an application token');
  }

  requireSelfOrApplication(principal: Principal, userId: string): void {
    if (principal.user && principal.user.id !== userId) {
      throw new ParleyError('system:error:forbidden', 'Users may only act on their own user record');
    }
  }
}

/**
 * Who may read a conversation (its details, members and history) of their own application: the application
 * itself, the user who created it (before they join, as the Stitch SDK expects), and its JOINED or INVITED
 * members. An `open` conversation may be joined by anyone of the application, but is read only once joined.
 */
export function canRead(
  principal: Principal,
  conversation: ConversationRecord,
  member: MemberRecord | undefined,
): boolean {
  if (conversation.applicationId !== principal.application.id) return false;
  if (!principal.user) return true;
  if (conversation.createdBy === principal.user.id) return true;
  return member !== undefined && member.userId === principal.user.id && VISIBLE_STATES.includes(member.state);
}

export const VISIBLE_STATES: MemberState[] = ['JOINED', 'INVITED'];
export const JOINED: MemberState[] = ['JOINED'];
