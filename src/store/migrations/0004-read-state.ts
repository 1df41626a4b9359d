import type { Kysely, Migration } from 'kysely';

/*
 * Read pointers and the counters behind unread counts (see `kysely/read-state.ts` for how they move).
 * Columns on the existing rows rather than a table of their own: the user's conversation listing already
 * joins members to conversations, so counts come with no extra read.
 */
const MEMBER_COLUMNS = [
  // Forward-only pointers: the newest event id the member has had delivered, and has seen.
  'last_delivered_event_id',
  'last_seen_event_id',
  // The member's counting horizon, max(last seen, the event before their latest join), with the number of
  // messages up to it and the messages after it that do not count (their own, and others' deleted ones).
  'unread_horizon',
  'horizon_messages',
  'excluded_messages',
] as const;

export const readState: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // Who may join: `open` (any user of the application who knows the id) or `invite`.
    await db.schema
      .alterTable('conversations')
      .addColumn('join_policy', 'text', (c) => c.notNull().defaultTo('open'))
      .execute();
    // Every message ever appended to the conversation, deleted ones included.
    await db.schema
      .alterTable('conversations')
      .addColumn('message_count', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    for (const column of MEMBER_COLUMNS) {
      await db.schema
        .alterTable('members')
        .addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    }
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const column of MEMBER_COLUMNS) await db.schema.alterTable('members').dropColumn(column).execute();
    await db.schema.alterTable('conversations').dropColumn('message_count').execute();
    await db.schema.alterTable('conversations').dropColumn('join_policy').execute();
  },
};
