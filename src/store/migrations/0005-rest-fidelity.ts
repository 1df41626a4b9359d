import type { Kysely, Migration } from 'kysely';

/*
 * Fields the Vonage v1 API accepts that earlier versions dropped: a conversation's `ttl`, `type`,
 * `custom_sort_key`, `numbers` and `callback`, and a user's `channels`. Clients read them back verbatim, so the JSON ones are kept as given.
 */
export const restFidelity: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('conversations').addColumn('ttl', 'integer').execute();
    // `properties.type` and `properties.custom_sort_key`: free text, as given.
    await db.schema.alterTable('conversations').addColumn('type', 'text').execute();
    await db.schema.alterTable('conversations').addColumn('custom_sort_key', 'text').execute();
    // JSON array, or null when none were given.
    await db.schema.alterTable('conversations').addColumn('numbers', 'text').execute();
    // JSON object, or null when none was given.
    await db.schema.alterTable('conversations').addColumn('callback', 'text').execute();
    await db.schema
      .alterTable('users')
      .addColumn('channels', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('users').dropColumn('channels').execute();
    await db.schema.alterTable('conversations').dropColumn('callback').execute();
    await db.schema.alterTable('conversations').dropColumn('numbers').execute();
    await db.schema.alterTable('conversations').dropColumn('ttl').execute();
    await db.schema.alterTable('conversations').dropColumn('type').execute();
    await db.schema.alterTable('conversations').dropColumn('custom_sort_key').execute();
  },
};
