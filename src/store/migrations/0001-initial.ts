import type { Kysely, Migration } from 'kysely';

/*
 * Only portable types (text, integer) and plain constraints, so the same migration runs on SQLite and
 * PostgreSQL. Ids, ISO-8601 timestamps and JSON documents are text; ISO timestamps sort as text.
 */
export const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('applications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('answer_url', 'text')
      .addColumn('event_url', 'text')
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('created', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('applications_created_idx')
      .on('applications')
      .columns(['created', 'id'])
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('application_id', 'text', (c) =>
        c.notNull().references('applications.id').onDelete('cascade'),
      )
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text')
      .addColumn('image_url', 'text')
      .addColumn('custom_data', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('users_application_name_uq')
      .on('users')
      .columns(['application_id', 'name'])
      .unique()
      .execute();
    await db.schema
      .createIndex('users_application_created_idx')
      .on('users')
      .columns(['application_id', 'created', 'id'])
      .execute();

    await db.schema
      .createTable('conversations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('application_id', 'text', (c) =>
        c.notNull().references('applications.id').onDelete('cascade'),
      )
      .addColumn('name', 'text')
      .addColumn('display_name', 'text')
      .addColumn('image_url', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('custom_data', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('last_event_id', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_by', 'text')
      .addColumn('created', 'text', (c) => c.notNull())
      .addColumn('updated', 'text', (c) => c.notNull())
      .execute();
    // Unnamed conversations never collide: both backends treat NULLs as distinct in unique indexes.
    await db.schema
      .createIndex('conversations_application_name_uq')
      .on('conversations')
      .columns(['application_id', 'name'])
      .unique()
      .execute();
    await db.schema
      .createIndex('conversations_application_created_idx')
      .on('conversations')
      .columns(['application_id', 'created', 'id'])
      .execute();

    await db.schema
      .createTable('members')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('conversation_id', 'text', (c) =>
        c.notNull().references('conversations.id').onDelete('cascade'),
      )
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('timestamps', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('invited_by', 'text')
      .addColumn('created', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('members_conversation_user_uq')
      .on('members')
      .columns(['conversation_id', 'user_id'])
      .unique()
      .execute();
    await db.schema
      .createIndex('members_conversation_created_idx')
      .on('members')
      .columns(['conversation_id', 'created', 'id'])
      .execute();
    // Also serves the cascade from users.
    await db.schema
      .createIndex('members_user_created_idx')
      .on('members')
      .columns(['user_id', 'created', 'id'])
      .execute();

    await db.schema
      .createTable('events')
      .addColumn('conversation_id', 'text', (c) =>
        c.notNull().references('conversations.id').onDelete('cascade'),
      )
      .addColumn('id', 'integer', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('from_member', 'text')
      .addColumn('body', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('timestamp', 'text', (c) => c.notNull())
      .addColumn('deleted', 'text')
      .addColumn('client_ref', 'text')
      .addPrimaryKeyConstraint('events_pk', ['conversation_id', 'id'])
      .execute();
    await db.schema
      .createIndex('events_client_ref_uq')
      .on('events')
      // client_ref before from_member: appends look events up by reference alone.
      .columns(['conversation_id', 'client_ref', 'from_member'])
      .unique()
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['events', 'members', 'conversations', 'users', 'applications', 'settings']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
