import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { deliveryId } from '../../src/core/webhooks/delivery-id.js';
import type { Database } from '../../src/store/database.js';
import { KyselyStore } from '../../src/store/kysely-store.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { openSqliteDatabase, sqliteCapabilities } from '../../src/store/sqlite/sqlite-store.js';
import { openWebhookOutbox } from '../../src/store/webhooks/open-webhook-outbox.js';
import { newApplication, newConversation, text } from '../store/store-contract.js';

describe('upgrading a database that predates webhooks', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('announces nothing already written, and everything after', async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-webhook-upgrade-'));
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: await openSqliteDatabase(join(dir, 'parley.db')) }),
    });
    const old = await new Migrator({ db, provider: migrationProvider }).migrateTo('0001-initial');
    expect(old.error).toBeUndefined();
    const store = new KyselyStore(db, sqliteCapabilities);
    try {
      const app = await store.createApplication(newApplication({ eventUrl: 'http://127.0.0.1:9/event' }));
      const conversation = await store.createConversation(newConversation(app.id));
      await store.appendEvents(
        conversation.id,
        [text(null, 'old 1'), text(null, 'old 2')],
        new Date().toISOString(),
      );

      await store.migrate();
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
