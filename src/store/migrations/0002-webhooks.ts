import { sql, type Kysely, type Migration } from 'kysely';

/*
 * Webhooks use the event log itself as their outbox: an event is durable once committed, so a cursor per
 * conversation (the last event id settled) is all that must be kept to lose nothing. Deliveries are a log of
 * what was attempted, for operators and replays.
 */
export const webhooks: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('webhook_cursors')
      .addColumn('conversation_id', 'text', (c) =>
        c.primaryKey().references('conversations.id').onDelete('cascade'),
      )
      // Events 1..delivered_id were delivered or given up; the head is delivered_id + 1.
      .addColumn('delivered_id', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('first_attempt', 'text')
      .addColumn('next_attempt', 'text')
      .addColumn('last_error', 'text')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'text')
      .execute();

    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('application_id', 'text', (c) =>
        c.notNull().references('applications.id').onDelete('cascade'),
      )
      // No foreign key: a delivery outlives its conversation, so a failed one stays visible.
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('event_id', 'integer', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('first_attempt', 'text')
      .addColumn('next_attempt', 'text')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'text')
      .addColumn('created', 'text', (c) => c.notNull())
      .addColumn('updated', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_application_updated_idx')
      .on('webhook_deliveries')
      .columns(['application_id', 'updated', 'id'])
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_status_next_idx')
      .on('webhook_deliveries')
      .columns(['status', 'next_attempt'])
      .execute();

    // Typing and delivery receipts are not stored; they go out only to applications that ask for them.
    await db.schema
      .alterTable('applications')
      .addColumn('webhook_ephemeral', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    // Existing history is not announced on upgrade: delivery starts with the next event.
    await sql`insert into webhook_cursors (conversation_id, delivered_id)
      select id, last_event_id from conversations`.execute(db);
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('webhook_deliveries').execute();
    await db.schema.dropTable('webhook_cursors').execute();
    await db.schema.alterTable('applications').dropColumn('webhook_ephemeral').execute();
  },
};
