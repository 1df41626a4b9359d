import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database as Schema } from '../../src/store/database.js';
import { KyselyStore } from '../../src/store/kysely/kysely-store.js';
import {
  openPostgresPool,
  openPostgresStore,
  postgresCapabilities,
} from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { freshPostgresDatabase, postgresUrl, serviceSkipReason } from '../support/services.js';
import { expectConversationWrites, statementLog } from './conversation-writes.js';
import {
  at,
  newApplication,
  newConversation,
  newMember,
  newUser,
  rejectsWith,
  runStoreContract,
  storeSelected,
  text,
} from './store-contract.js';

const skip = storeSelected('postgres') ? await serviceSkipReason('postgres') : 'not in PARLEY_TEST_STORES';

type Database = Awaited<ReturnType<typeof freshPostgresDatabase>>;

const range = (n: number): number[] => Array.from({ length: n }, (_, k) => k + 1);

/** An application with one conversation and one joined member to send from. */
async function seed(store: Store): Promise<{ conversationId: string; from: string }> {
  const app = await store.createApplication(newApplication());
  const conversation = await store.createConversation(newConversation(app.id));
  const user = await store.createUser(newUser(app.id));
  const member = await store.createMember(newMember(conversation.id, user.id));
  return { conversationId: conversation.id, from: member.id };
}

async function query<R extends pg.QueryResultRow>(url: string, statement: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(statement)).rows;
  } finally {
    await client.end();
  }
}

/** Ends every server session on `database` but the caller's, as a server restart or failover would. */
async function terminateSessions(database: Database): Promise<void> {
  const admin = postgresUrl() ?? database.url;
  const others = `from pg_stat_activity where datname = '${database.name}' and pid <> pg_backend_pid()`;
  await query(admin, `select pg_terminate_backend(pid) ${others}`);
  // pg_terminate_backend only signals: wait until the sessions are gone (their sockets closed) before going on.
  await vi.waitFor(
    async () => {
      const [row] = await query<{ n: string }>(admin, `select count(*) as n ${others}`);
      if (row?.n !== '0') throw new Error(`${row?.n} sessions still on ${database.name}`);
    },
    { timeout: 5000, interval: 20 },
  );
}

describe.skipIf(skip !== undefined)('PostgreSQL store', () => {
  let shared: Database;
  const stores: Store[] = [];

  /** A store on this file's database, closed after the file's tests. */
  async function open(poolSize: number): Promise<Store> {
    const store = await openPostgresStore({ url: shared.url, poolSize });
    stores.push(store);
    return store;
  }

  beforeAll(async () => {
    shared = await freshPostgresDatabase();
  });

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await shared?.drop();
  });

  // The contract tolerates rows left by earlier tests, so one database serves the whole file.
  runStoreContract('PostgreSQL', () => openPostgresStore({ url: shared.url, poolSize: 4 }));

  it('keeps ids contiguous when two nodes append to one conversation at once', async () => {
    const nodes = [await open(5), await open(5)] as const;
    const { conversationId, from } = await seed(nodes[0]);
    const sent = await Promise.all(
      range(200).map((i) => nodes[i % 2]!.appendEvents(conversationId, [text(from, `m${i}`)], at(i))),
    );
    const ids = sent.flat().map((event) => event.id);
    expect(ids.sort((a, b) => a - b)).toEqual(range(200));
    expect((await nodes[1].getConversation(conversationId))?.lastEventId).toBe(200);
    const stored = await nodes[0].listEvents(conversationId, { limit: 500, order: 'asc' });
    expect(stored.items.map((event) => event.id)).toEqual(range(200));
    expect(new Set(stored.items.map((event) => event.body.text)).size).toBe(200);
  });

  it('stores a clientRef once when two nodes race the same send', async () => {
    const nodes = [await open(5), await open(5)] as const;
    const { conversationId, from } = await seed(nodes[0]);
    const sends = await Promise.all(
      range(20).map((i) =>
        nodes[i % 2]!.appendEvents(conversationId, [text(from, `try ${i}`, 'race')], at(i)),
      ),
    );
    const first = sends[0]![0];
    expect(first?.id).toBe(1);
    for (const sent of sends) expect(sent).toEqual([first]);
    expect((await nodes[1].getConversation(conversationId))?.lastEventId).toBe(1);
  });

  it('locks the conversation row before looking up a clientRef, for a send and for its retry', async () => {
    // Other connections and nodes append at the same time: the lock makes them wait for this send's row.
    const { log, statements } = statementLog();
    const dialect = new PostgresDialect({ pool: openPostgresPool({ url: shared.url, poolSize: 1 }) });
    const store = await KyselyStore.open(new Kysely<Schema>({ dialect, log }), postgresCapabilities);
    stores.push(store);
    await expectConversationWrites(store, statements, { send: 2, retry: 1 });
  });

  it('leaves the pool usable after transactions that fail on a conflict', async () => {
    const store = await open(2);
    const app = await store.createApplication(newApplication());
    await store.createUser(newUser(app.id, { name: 'alice' }));
    // More failed transactions than connections: a connection left inside an aborted transaction would show.
    for (let i = 0; i < 6; i++) {
      const other = newApplication();
      const failure = store.transaction(async (tx) => {
        await tx.createApplication(other);
        await tx.createUser(newUser(app.id, { name: 'alice' }));
      });
      await rejectsWith(failure, 'user:error:duplicate-name');
      expect(await store.getApplication(other.id)).toBeUndefined();
    }
    const created = await Promise.all(
      range(4).map((i) => store.transaction((tx) => tx.createUser(newUser(app.id, { name: `user-${i}` })))),
    );
    for (const user of created) expect(await store.getUser(user.id)).toEqual(user);
  });

  it('lets two nodes migrate a new database at the same time', async () => {
    const database = await freshPostgresDatabase();
    try {
      const both = await Promise.all([
        openPostgresStore({ url: database.url }),
        openPostgresStore({ url: database.url }),
      ]);
      await both[0].putSetting('k', 'v');
      expect(await both[1].getSetting('k')).toBe('v');
      await Promise.all(both.map((store) => store.close()));
    } finally {
      await database.drop();
    }
  });

  it('runs every connection with synchronous_commit on and read committed, whatever the database defaults', async () => {
    const database = await freshPostgresDatabase();
    await query(database.url, `alter database ${database.name} set synchronous_commit = off`);
    await query(
      database.url,
      `alter database ${database.name} set default_transaction_isolation = 'repeatable read'`,
    );
    expect(await query(database.url, 'show synchronous_commit')).toEqual([{ synchronous_commit: 'off' }]);

    const pool = openPostgresPool({ url: database.url, poolSize: 3 });
    try {
      // Hold three connections at once so each is a separate session.
      const clients = await Promise.all(range(3).map(() => pool.connect()));
      const settings = await Promise.all(
        clients.map(async (client) => {
          try {
            const { rows } = await client.query<{ sync: string; isolation: string }>(
              `select current_setting('synchronous_commit') as sync,
                      current_setting('default_transaction_isolation') as isolation`,
            );
            return rows;
          } finally {
            client.release();
          }
        }),
      );
      expect(settings).toEqual(range(3).map(() => [{ sync: 'on', isolation: 'read committed' }]));
    } finally {
      await pool.end();
      await database.drop();
    }
  });

  it('recovers when the server ends its connections, idle or inside a transaction', async () => {
    const database = await freshPostgresDatabase();
    const store = await openPostgresStore({ url: database.url, poolSize: 2 });
    try {
      await Promise.all([store.ping(), store.ping()]);
      await terminateSessions(database);
      await vi.waitFor(() => store.ping(), { timeout: 5000, interval: 50 });

      const failure = store.transaction(async (tx) => {
        await tx.ping();
        await terminateSessions(database);
        await tx.ping();
      });
      await expect(failure).rejects.toThrow();
      await vi.waitFor(() => store.ping(), { timeout: 5000, interval: 50 });
      await store.putSetting('after', 'recovered');
      expect(await store.getSetting('after')).toBe('recovered');
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
