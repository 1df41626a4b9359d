import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { PreparedQuery, param } from './prepared-query.js';

/** The statements every send runs, compiled once per store (see `PreparedQuery`). */
export function appendQueries(db: Kysely<Database>) {
  const reserve = db
    .updateTable('conversations')
    .set((eb) => ({
      last_event_id: eb('last_event_id', '+', param<number>('count')),
      message_count: eb('message_count', '+', param<number>('messages')),
      updated: param<string>('updated'),
    }))
    .where('id', '=', param<string>('conversation'))
    .returning('last_event_id');
  const guardMember = db
    .updateTable('members')
    .set((eb) => ({ excluded_messages: eb('excluded_messages', '+', param<number>('sent')) }))
    .where('id', '=', param<string>('member'))
    .where('conversation_id', '=', param<string>('conversation'))
    .where('user_id', '=', param<string>('user'))
    .where('state', '=', 'JOINED')
    .where('muted', '=', 0)
    .returning('id');
  return {
    /**
     * Reserves `count` ids, `messages` of them messages: the row lock it takes on PostgreSQL serialises
     * appends to one conversation.
     */
    reserve: new PreparedQuery<'count' | 'messages' | 'updated' | 'conversation', { last_event_id: number }>(
      reserve,
    ),
    /**
     * The append guard: matches only while the member is the user's, JOINED and not muted, and counts
     * the `sent` messages as the member's own (never unread for them).
     */
    guardMember: new PreparedQuery<'sent' | 'member' | 'conversation' | 'user', { id: string }>(guardMember),
    insertEvent: new PreparedQuery<
      'conversation' | 'id' | 'type' | 'from' | 'body' | 'timestamp' | 'clientRef',
      Record<string, never>
    >(
      db.insertInto('events').values({
        conversation_id: param('conversation'),
        id: param('id'),
        type: param('type'),
        from_member: param('from'),
        body: param('body'),
        timestamp: param('timestamp'),
        deleted: null,
        client_ref: param('clientRef'),
      }),
    ),
  };
}

export type AppendQueries = ReturnType<typeof appendQueries>;
