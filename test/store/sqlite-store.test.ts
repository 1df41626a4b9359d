import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.js';
import { KyselyStore } from '../../src/store/kysely/kysely-store.js';
import {
  openSqliteDatabase,
  openSqliteStore,
  sqliteCapabilities,
} from '../../src/store/sqlite/sqlite-store.js';
import { expectConversationWrites, statementLog } from './conversation-writes.js';
import { runStoreContract, storeSelected } from './store-contract.js';

describe.skipIf(!storeSelected('sqlite'))('SQLite store', () => {
  let dir: string;
  let opened = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-sqlite-store-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  runStoreContract('SQLite file', () => openSqliteStore({ file: join(dir, `contract-${++opened}.db`) }));

  it('creates missing folders and keeps data across close and reopen', async () => {
    const file = join(dir, 'nested', 'deeper', 'parley.db');
    const first = await openSqliteStore({ file });
    await first.putSetting('secret', 'kept');
    await first.createApplication({
      id: 'app-1',
      name: 'Kept',
      publicKey: 'PEM',
      answerUrl: null,
      eventUrl: null,
      type: 'rtc',
      created: '2024-01-01T00:00:00.000Z',
    });
    await first.close();

    const second = await openSqliteStore({ file });
    expect(await second.getSetting('secret')).toBe('kept');
    expect((await second.getApplication('app-1'))?.name).toBe('Kept');
    await second.close();
  });

  it('opens connections with WAL journaling, full sync, foreign keys and a busy timeout', async () => {
    const db = await openSqliteDatabase(join(dir, 'pragmas.db'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      db.close();
    }
  });

  it('leaves the database file in WAL mode', async () => {
    const file = join(dir, 'wal.db');
    await (await openSqliteStore({ file })).close();
    const db = new SqliteDatabase(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('works in memory', async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    await store.putSetting('k', 'v');
    expect(await store.getSetting('k')).toBe('v');
    await store.close();
  });

  it('writes the conversation row once for a send with a clientRef, and not at all for its retry', async () => {
    // One writer at a time: the lock PostgreSQL takes before looking the clientRef up would be a second write.
    const { log, statements } = statementLog();
    const database = await openSqliteDatabase(':memory:');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }), log });
    const store = await KyselyStore.open(db, sqliteCapabilities);
    try {
      await expectConversationWrites(store, statements, { send: 1, retry: 0 });
    } finally {
      await store.close();
    }
  });

  it('names the migration that failed', async () => {
    const file = join(dir, 'conflicting.db');
    const db = new SqliteDatabase(file);
    db.exec('create table applications (unrelated integer)');
    db.close();
    await expect(openSqliteStore({ file })).rejects.toThrow(/migration 0001-initial/);
  });
});
