import type { Store } from '../store.js';
import { lockConversation } from './conversation-lock.js';
import type { SqlScope } from './sql-scope.js';

export type Bans = Pick<Store, 'putBan' | 'getBan' | 'deleteBan'>;

/** Bans per conversation and user; written under the conversation lock, as joins check them under it. */
export function bans(scope: SqlScope): Bans {
  const one = (conversationId: string, userId: string) =>
    scope.db
      .selectFrom('bans')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId);
  return {
    putBan: (ban) =>
      scope.transaction(async (tx) => {
        await lockConversation(tx, ban.conversationId);
        const row = {
          conversation_id: ban.conversationId,
          user_id: ban.userId,
          reason: ban.reason,
          created: ban.created,
        };
        await tx.db
          .insertInto('bans')
          .values(row)
          .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doUpdateSet({ reason: ban.reason }))
          .execute();
        return ban;
      }),
    getBan: (conversationId, userId) =>
      scope.find(one(conversationId, userId), (row) => ({
        conversationId: row.conversation_id,
        userId: row.user_id,
        reason: row.reason,
        created: row.created,
      })),
    deleteBan: (conversationId, userId) =>
      scope.remove(
        scope.db
          .deleteFrom('bans')
          .where('conversation_id', '=', conversationId)
          .where('user_id', '=', userId),
      ),
  };
}
