import type { Membership, Store } from '../store.js';
import { pageBy, type KeyColumn } from './keyset.js';
import { toReadState } from './read-state.js';
import { toConversation, toMember } from './row-mappers.js';
import type { SqlScope } from './sql-scope.js';

export type Memberships = Pick<Store, 'listUserConversations'>;

/** A user's conversations page by when they became a member, not by when the conversation was created. */
const MEMBERS_BY_CREATED: readonly KeyColumn[] = [
  { ref: 'members.created', kind: 'string' },
  { ref: 'members.id', kind: 'string' },
];

/**
 * A user's conversations, each with the user's member in it and its read state: one join, so a page costs one
 * query whatever the history's length.
 */
export function memberships({ db }: SqlScope): Memberships {
  return {
    async listUserConversations(userId, page, filter) {
      const states = filter?.states;
      // `in ()` is not valid SQL, and no state asked for means no conversation.
      if (states?.length === 0) return { items: [] };
      let query = db
        .selectFrom('members')
        .innerJoin('conversations', 'conversations.id', 'members.conversation_id')
        .selectAll('members')
        .select([
          'conversations.application_id as c_application_id',
          'conversations.name as c_name',
          'conversations.display_name as c_display_name',
          'conversations.image_url as c_image_url',
          'conversations.state as c_state',
          'conversations.join_policy as c_join_policy',
          'conversations.custom_data as c_custom_data',
          'conversations.last_event_id as c_last_event_id',
          'conversations.message_count as c_message_count',
          'conversations.ttl as c_ttl',
          'conversations.type as c_type',
          'conversations.custom_sort_key as c_custom_sort_key',
          'conversations.numbers as c_numbers',
          'conversations.callback as c_callback',
          'conversations.created_by as c_created_by',
          'conversations.created as c_created',
          'conversations.updated as c_updated',
        ])
        .where('members.user_id', '=', userId);
      if (states !== undefined) query = query.where('members.state', 'in', states);
      return pageBy(query, page, MEMBERS_BY_CREATED, (row): Membership => ({
        member: toMember(row),
        readState: toReadState(row, row.c_message_count),
        conversation: toConversation({
          id: row.conversation_id,
          application_id: row.c_application_id,
          name: row.c_name,
          display_name: row.c_display_name,
          image_url: row.c_image_url,
          state: row.c_state,
          join_policy: row.c_join_policy,
          custom_data: row.c_custom_data,
          last_event_id: row.c_last_event_id,
          message_count: row.c_message_count,
          ttl: row.c_ttl,
          type: row.c_type,
          custom_sort_key: row.c_custom_sort_key,
          numbers: row.c_numbers,
          callback: row.c_callback,
          created_by: row.c_created_by,
          created: row.c_created,
          updated: row.c_updated,
        }),
      }));
    },
  };
}
