import type { Updateable } from 'kysely';
import type { ConversationsTable } from '../database.js';
import type { Store } from '../store.js';
import { BY_CREATED, pageBy } from './keyset.js';
import { toConversation } from './row-mappers.js';
import { conversationRow, jsonOrNull, profileChanges } from './row-writers.js';
import type { SqlScope } from './sql-scope.js';

export type Conversations = Pick<
  Store,
  'createConversation' | 'getConversation' | 'listConversations' | 'updateConversation' | 'deleteConversation'
>;

/**
 * The conversations table: a name, when given, is unique within its application. `last_event_id` is the
 * event log's counter, which only appends move.
 */
export function conversations(scope: SqlScope): Conversations {
  const table = () => scope.db.selectFrom('conversations').selectAll();
  return {
    createConversation: (conversation) =>
      scope.create(
        'conversations',
        conversationRow(conversation),
        toConversation,
        'conversation:error:duplicate-name',
      ),
    getConversation: (id) => scope.find(table().where('id', '=', id), toConversation),
    listConversations: (applicationId, page) =>
      pageBy(table().where('application_id', '=', applicationId), page, BY_CREATED, toConversation),
    updateConversation(id, patch) {
      // Always a change: every patch moves the updated time.
      const values: Updateable<ConversationsTable> = { ...profileChanges(patch), updated: patch.updated };
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.state !== undefined) values.state = patch.state;
      if (patch.joinPolicy !== undefined) values.join_policy = patch.joinPolicy;
      if (patch.ttl !== undefined) values.ttl = patch.ttl;
      if (patch.type !== undefined) values.type = patch.type;
      if (patch.customSortKey !== undefined) values.custom_sort_key = patch.customSortKey;
      if (patch.numbers !== undefined) values.numbers = jsonOrNull(patch.numbers);
      if (patch.callback !== undefined) values.callback = jsonOrNull(patch.callback);
      return scope.update(
        scope.db.updateTable('conversations').set(values).where('id', '=', id).returningAll(),
        toConversation,
        'conversation:error:duplicate-name',
      );
    },
    deleteConversation: (id) => scope.remove(scope.db.deleteFrom('conversations').where('id', '=', id)),
  };
}
