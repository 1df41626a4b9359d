import type { Store } from '../store.js';
import type { Updateable } from 'kysely';
import { ParleyError } from '../../protocol/errors.js';
import type { MembersTable } from '../database.js';
import { bans } from './bans.js';
import { lockConversation } from './conversation-lock.js';
import { BY_CREATED, pageBy } from './keyset.js';
import { joinHorizon } from './read-state.js';
import { toMember } from './row-mappers.js';
import { memberRow } from './row-writers.js';
import type { SqlScope } from './sql-scope.js';

export type Members = Pick<
  Store,
  'createMember' | 'getMember' | 'getMemberByUser' | 'listMembers' | 'membersInStates' | 'updateMember'
>;

/**
 * Refused under the conversation lock a ban also takes, so a join racing a ban is wholly before it (and then
 * removed by it) or refused.
 */
async function refuseBanned(tx: SqlScope, conversationId: string, userId: string): Promise<void> {
  if (await bans(tx).getBan(conversationId, userId)) throw new ParleyError('conversation:error:banned');
}

/** The members table: a user has at most one member in a conversation, whatever its state. */
export function members(scope: SqlScope): Members {
  const inConversation = (conversationId: string) =>
    scope.db.selectFrom('members').selectAll().where('conversation_id', '=', conversationId);
  return {
    // Joining locks the conversation first (`lockConversation`) and starts the member's unread count there.
    createMember: (member) =>
      scope.transaction(async (tx) => {
        await lockConversation(tx, member.conversationId);
        if (member.state !== 'LEFT') await refuseBanned(tx, member.conversationId, member.userId);
        const created = await tx.create(
          'members',
          memberRow(member),
          toMember,
          'member:error:already-member',
        );
        if (created.state === 'JOINED') await joinHorizon(tx, created.id, created.conversationId);
        return created;
      }),
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
    updateMember: (id, patch) =>
      scope.transaction(async (tx) => {
        const found = await members(tx).getMember(id);
        if (!found) return undefined;
        await lockConversation(tx, found.conversationId);
        // Read again under the lock: whether this is a join depends on the state no one else is changing now.
        const before = (await members(tx).getMember(id)) ?? found;
        if (patch.state !== undefined && patch.state !== 'LEFT' && before.state === 'LEFT') {
          await refuseBanned(tx, before.conversationId, before.userId);
        }
        const values: Updateable<MembersTable> = {};
        if (patch.state !== undefined) values.state = patch.state;
        if (patch.timestamps !== undefined) values.timestamps = JSON.stringify(patch.timestamps);
        if (patch.invitedBy !== undefined) values.invited_by = patch.invitedBy;
        if (patch.role !== undefined) values.role = patch.role;
        if (patch.muted !== undefined) values.muted = patch.muted ? 1 : 0;
        const updated = await tx.update(
          tx.db.updateTable('members').set(values).where('id', '=', id).returningAll(),
          toMember,
        );
        if (updated?.state === 'JOINED' && before.state !== 'JOINED') {
          await joinHorizon(tx, updated.id, updated.conversationId);
        }
        return updated;
      }),
  };
}
