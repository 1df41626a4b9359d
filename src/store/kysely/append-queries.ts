import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { PreparedQuery, param } from './prepared-query.js';

/** The statements every send runs, compiled once per store (see `PreparedQuery`). */
export function appendQueries(db: Kysely<Database>) {
  const reserve = db
    .updateTable('conversations')
    .set((eb) => ({
      last_event_id: eb('last_event_id', '+', param<number>('count')),
      updated: param<string>('updated'),
    }))
    .where('id', '=', param<string>('conversation'))
    .returning('last_event_id');
  return {
    /** Reserves `count` ids: the row lock it takes on PostgreSQL serialises appends to one conversation. */
    reserve: new PreparedQuery<'count' | 'updated' | 'conversation', { last_event_id: number }>(reserve),
    /** As `reserve`, only while the member is the user's and JOINED in the conversation. */
    reserveAsMember: new PreparedQuery<
      'count' | 'updated' | 'conversation' | 'member' | 'user',
      { last_event_id: number }
    >(
      reserve.where((eb) =>
        eb.exists(
          eb
            .selectFrom('members')
            .select(eb.lit(1).as('one'))
            .where('members.id', '=', param<string>('member'))
            .where('members.conversation_id', '=', param<string>('conversation'))
            .where('members.user_id', '=', param<string>('user'))
            .where('members.state', '=', 'JOINED'),
        ),
      ),
    ),
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
