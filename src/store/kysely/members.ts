import type { Store } from '../store.js';
import { BY_CREATED, pageBy } from './keyset.js';
import { toMember } from './row-mappers.js';
import { memberRow } from './row-writers.js';
import type { SqlScope } from './sql-scope.js';

export type Members = Pick<
  Store,
  'createMember' | 'getMember' | 'getMemberByUser' | 'listMembers' | 'membersInStates' | 'updateMember'
>;

/** The members table: a user has at most one member in a conversation, whatever its state. */
export function members(scope: SqlScope): Members {
  const inConversation = (conversationId: string) =>
    scope.db.selectFrom('members').selectAll().where('conversation_id', '=', conversationId);
  return {
    createMember: (member) =>
      scope.create('members', memberRow(member), toMember, 'member:error:already-member'),
    getMember: (id) => scope.find(scope.db.selectFrom('members').selectAll().where('id', '=', id), toMember),
    getMemberByUser: (conversationId, userId) =>
      scope.find(inConversation(conversationId).where('user_id', '=', userId), toMember),
    listMembers: (conversationId, page) => pageBy(inConversation(conversationId), page, BY_CREATED, toMember),
    async membersInStates(conversationId, states) {
      // `in ()` is not valid SQL, and no state asked for means no member.
      if (states.length === 0) return [];
      const rows = await inConversation(conversationId)
        .where('state', 'in', states)
        .orderBy('created')
        .orderBy('id')
        .execute();
      return rows.map(toMember);
    },
    updateMember(id, patch) {
      const changes = { state: patch.state, timestamps: JSON.stringify(patch.timestamps) };
      const values = patch.invitedBy === undefined ? changes : { ...changes, invited_by: patch.invitedBy };
      return scope.update(
        scope.db.updateTable('members').set(values).where('id', '=', id).returningAll(),
        toMember,
      );
    },
  };
}
