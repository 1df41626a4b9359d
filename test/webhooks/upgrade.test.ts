import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, Migrator, SqliteDialect, type Insertable } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { deliveryId } from '../../src/core/webhooks/delivery-id.js';
import type { Database } from '../../src/store/database.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { openSqliteDatabase, openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openWebhookOutbox } from '../../src/store/webhooks/open-webhook-outbox.js';
import { newApplication, newConversation, text } from '../store/store-contract.js';

describe('upgrading a database that predates webhooks', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('announces nothing already written, and everything after', async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-webhook-upgrade-'));
    const file = join(dir, 'parley.db');
    const old = new Kysely<Database>({
      dialect: new SqliteDialect({ database: await openSqliteDatabase(file) }),
    });
    expect(
      (await new Migrator({ db: old, provider: migrationProvider }).migrateTo('0001-initial')).error,
    ).toBe(undefined);
    const app = newApplication({ eventUrl: 'http://127.0.0.1:9/event' });
    const conversation = { ...newConversation(app.id), lastEventId: 2 };
    await old
      .insertInto('applications')
      .values({
        id: app.id,
        name: app.name,
        public_key: app.publicKey,
        answer_url: null,
        event_url: app.eventUrl,
        type: 'rtc',
        created: app.created,
      })
      .execute();
    // The row as migration 0001 shaped the table: later migrations' columns (join_policy, …) do not exist yet.
    const v1Conversation = {
      id: conversation.id,
      application_id: app.id,
      name: null,
      display_name: null,
      image_url: null,
      state: 'ACTIVE',
      custom_data: '{}',
      last_event_id: 2,
      created_by: null,
      created: conversation.created,
      updated: conversation.updated,
    };
    await old
      .insertInto('conversations')
      .values(v1Conversation as Insertable<Database['conversations']>)
      .execute();
    for (const id of [1, 2]) {
      await old
        .insertInto('events')
        .values({
          conversation_id: conversation.id,
          id,
          type: 'text',
          from_member: null,
          body: JSON.stringify({ text: `old ${id}` }),
          timestamp: new Date().toISOString(),
          deleted: null,
          client_ref: null,
        })
        .execute();
    }
    await old.destroy();

    const store = await openSqliteStore({ file });
    try {
      const outbox = openWebhookOutbox(store, deliveryId);
      const now = () => new Date().toISOString();
      expect(await outbox.dueConversations(now(), 10)).toEqual([]);

      await store.appendEvents(conversation.id, [text(null, 'new')], now());
      expect(await outbox.dueConversations(now(), 10)).toEqual([conversation.id]);
      const cursor = await outbox.claim(
        conversation.id,
        'me',
        now(),
        new Date(Date.now() + 1000).toISOString(),
      );
      expect(cursor).toMatchObject({ deliveredId: 2, applicationId: app.id });
      expect((await outbox.eventsAfter(conversation.id, 2, 10)).map((e) => e.body)).toEqual([
        { text: 'new' },
      ]);
    } finally {
      await store.close();
    }
  });
});
