import type { Kysely, Migration } from 'kysely';

/*
 * Uploaded media and which events refer to them. The bytes live in a MediaStore (files or PostgreSQL); these
 * rows say who uploaded what, where it may be shown, and keep a blob alive while any representation names it.
 * Portable types only, as in 0001.
 */
export const media: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('media')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('application_id', 'text', (c) =>
        c.notNull().references('applications.id').onDelete('cascade'),
      )
      // Null when the application itself uploaded. No foreign key: the file outlives its uploader's
      // account as long as events show it.
      .addColumn('owner_user_id', 'text')
      // The conversation it was first posted to, once an event refers to it.
      .addColumn('conversation_id', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('created', 'text', (c) => c.notNull())
      // When an event first referred to it; uploads never referred to are swept.
      .addColumn('referenced', 'text')
      .execute();
    await db.schema
      .createIndex('media_unreferenced_idx')
      .on('media')
      .columns(['referenced', 'created'])
      .execute();

    await db.schema
      .createTable('media_representations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('media_id', 'text', (c) => c.notNull().references('media.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('blob_key', 'text', (c) => c.notNull())
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('width', 'integer')
      .addColumn('height', 'integer')
      .execute();
    await db.schema
      .createIndex('media_representations_media_uq')
      .on('media_representations')
      .columns(['media_id', 'name'])
      .unique()
      .execute();
    await db.schema
      .createIndex('media_representations_blob_idx')
      .on('media_representations')
      .column('blob_key')
      .execute();

    await db.schema
      .createTable('media_refs')
      .addColumn('media_id', 'text', (c) => c.notNull().references('media.id').onDelete('cascade'))
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('event_id', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('media_refs_pk', ['media_id', 'conversation_id', 'event_id'])
      .execute();
    await db.schema
      .createIndex('media_refs_event_idx')
      .on('media_refs')
      .columns(['conversation_id', 'event_id'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['media_refs', 'media_representations', 'media']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
