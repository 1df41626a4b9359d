import type { Kysely, Migration } from 'kysely';

/*
 * Issue 13: join policies, roles, mutes and bans, and read state. Read pointers and the counters behind unread counts (see `kysely/read-state.ts` for how they move).
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
    // When each pointer last moved (the receipt's time), for `seen_by` and `delivered_to` in listings.
    for (const column of ['last_delivered_at', 'last_seen_at']) {
      await db.schema.alterTable('members').addColumn(column, 'text').execute();
    }
    // Moderation: `owner` | `moderator` | `member`, and whether the member's sends are refused (0 or 1).
    await db.schema
      .alterTable('members')
      .addColumn('role', 'text', (c) => c.notNull().defaultTo('member'))
      .execute();
    await db.schema
      .alterTable('members')
      .addColumn('muted', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    // A banned user cannot (re)join or be invited until unbanned.
    await db.schema
      .createTable('bans')
      .addColumn('conversation_id', 'text', (c) =>
        c.notNull().references('conversations.id').onDelete('cascade'),
      )
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('reason', 'text')
      .addColumn('created', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('bans_pk', ['conversation_id', 'user_id'])
      .execute();
    await db.schema.createIndex('bans_user_idx').on('bans').column('user_id').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('bans').execute();
    for (const column of ['role', 'muted', 'last_delivered_at', 'last_seen_at'])
      await db.schema.alterTable('members').dropColumn(column).execute();
    for (const column of MEMBER_COLUMNS) await db.schema.alterTable('members').dropColumn(column).execute();
    await db.schema.alterTable('conversations').dropColumn('message_count').execute();
    await db.schema.alterTable('conversations').dropColumn('join_policy').execute();
  },
};
