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

  requireApplication(principal: Principal): void {
    if (principal.user) throw new ParleyError('system:error:forbidden', 'This needs an application token');
  }

  requireSelfOrApplication(principal: Principal, userId: string): void {
    if (principal.user && principal.user.id !== userId) {
      throw new ParleyError('system:error:forbidden', 'Users may only act on their own user record');
    }
  }
}

export const VISIBLE_STATES: MemberState[] = ['JOINED', 'INVITED'];
export const JOINED: MemberState[] = ['JOINED'];
