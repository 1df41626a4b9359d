import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_TYPES, receiptKind } from '../../src/protocol/read-state.js';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database as Schema } from '../../src/store/database.js';
import { KyselyStore } from '../../src/store/kysely/kysely-store.js';
import {
  openPostgresPool,
  openPostgresStore,
  postgresCapabilities,
} from '../../src/store/postgres/postgres-store.js';
import type { EventRecord, MemberRecord, MemberState, NewEvent } from '../../src/store/records.js';
import {
  openSqliteDatabase,
  openSqliteStore,
  sqliteCapabilities,
} from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { statementLog } from '../store/conversation-writes.js';
import { freshPostgresDatabase, serviceSkipReason } from '../support/services.js';
import {
  at,
  newApplication,
  newConversation,
  newMember,
  newUser,
  storeSelected,
  text,
} from '../store/store-contract.js';

const pgSkip = storeSelected('postgres') ? await serviceSkipReason('postgres') : 'not in PARLEY_TEST_STORES';

interface Room {
  conversationId: string;
  members: MemberRecord[];
}

/** A conversation with `count` joined members, each announced with a `member:joined` event as the domain does. */
async function room(store: Store, count: number): Promise<Room> {
  const app = await store.createApplication(newApplication());
  const conversation = await store.createConversation(newConversation(app.id));
  const members: MemberRecord[] = [];
  for (let i = 0; i < count; i++) {
    const user = await store.createUser(newUser(app.id));
    const member = await store.createMember(newMember(conversation.id, user.id));
    await store.appendEvents(conversation.id, [{ type: 'member:joined', from: member.id, body: {} }], at(0));
    members.push(member);
  }
  return { conversationId: conversation.id, members };
}

const guardOf = (member: MemberRecord) => ({ memberId: member.id, userId: member.userId });

const receipt = (type: string, from: string, eventId: number): NewEvent => ({
  type,
  from,
  body: { event_id: eventId },
});

async function moveTo(store: Store, { conversationId }: Room, member: MemberRecord, state: MemberState) {
  await store.transaction(async (tx) => {
    await tx.updateMember(member.id, { state, timestamps: {} });
    const type = state === 'JOINED' ? 'member:joined' : 'member:left';
    await tx.appendEvents(conversationId, [{ type, from: member.id, body: {} }], at(1));
  });
}

const unread = async (store: Store, member: MemberRecord): Promise<number | undefined> =>
  (await store.getReadState(member.id))?.unreadCount;

/**
 * The unread counts recounted from history alone: messages from others, not deleted, after the member's last
 * seen event and their latest join, for members JOINED now.
 */
function recount(events: EventRecord[], members: MemberRecord[]): Map<string, number> {
  const joinedAt = new Map<string, number>();
  const seen = new Map<string, number>();
  const state = new Map<string, MemberState>();
  for (const event of events) {
    if (event.from === null) continue;
    if (event.type === 'member:joined') {
      joinedAt.set(event.from, event.id);
      state.set(event.from, 'JOINED');
    } else if (event.type === 'member:left') {
      state.set(event.from, 'LEFT');
    } else if (receiptKind(event.type) === 'seen') {
      const upTo = Math.min(Number(event.body.event_id), event.id);
      seen.set(event.from, Math.max(seen.get(event.from) ?? 0, upTo));
    }
  }
  const counts = new Map<string, number>();
  for (const member of members) {
    if (state.get(member.id) !== 'JOINED') {
      counts.set(member.id, 0);
      continue;
    }
    const horizon = Math.max(seen.get(member.id) ?? 0, (joinedAt.get(member.id) ?? 0) - 1);
    const count = events.filter(
      (e) => MESSAGE_TYPES.includes(e.type) && e.id > horizon && e.from !== member.id && e.deleted === null,
    ).length;
    counts.set(member.id, count);
  }
  return counts;
}

type Op =
  | { kind: 'send'; who: number; type: string }
  | { kind: 'system' }
  | { kind: 'receipt'; who: number; type: string; back: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'leave'; who: number }
  | { kind: 'join'; who: number };

const MEMBERS = 3;
const who = fc.integer({ min: 0, max: MEMBERS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('send'),
      who,
      type: fc.constantFrom(...MESSAGE_TYPES, 'custom:x'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('system') }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('receipt'),
      who,
      type: fc.constantFrom('text:seen', 'text:delivered', 'image:seen', 'message:seen'),
      back: fc.integer({ min: -2, max: 6 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete'), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave'), who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('join'), who }) },
);

/** Applies one operation the way the domain would; refusals (a member who left sending) are skipped. */
async function apply(store: Store, r: Room, o: Op): Promise<void> {
  const member = 'who' in o ? r.members[o.who]! : undefined;
  const current = member && (await store.getMember(member.id));
  const joined = current?.state === 'JOINED';
  const last = (await store.getConversation(r.conversationId))?.lastEventId ?? 0;
  switch (o.kind) {
    case 'send':
      if (joined)
        await store.appendEvents(
          r.conversationId,
          [{ type: o.type, from: member!.id, body: { text: 'x' } }],
          at(2),
          guardOf(member!),
        );
      return;
    case 'system':
      await store.appendEvents(r.conversationId, [text(null, 'system')], at(2));
      return;
    case 'receipt':
      if (joined) {
        await store.appendEvents(
          r.conversationId,
          [receipt(o.type, member!.id, Math.max(1, last - o.back))],
          at(2),
          guardOf(member!),
        );
      }
      return;
    case 'delete': {
      const messages = (
        await store.listEvents(r.conversationId, { limit: 1000, order: 'asc', excludeDeleted: true })
      ).items.filter((e) => MESSAGE_TYPES.includes(e.type));
      const target = messages[o.pick % Math.max(1, messages.length)];
      if (target) await store.markEventDeleted(r.conversationId, target.id, at(3));
      return;
    }
    case 'leave':
      if (joined) await moveTo(store, r, member!, 'LEFT');
      return;
    case 'join':
      if (current?.state === 'LEFT') await moveTo(store, r, member!, 'JOINED');
      return;
  }
}

function readStateContract(label: string, open: () => Promise<Store>, runs: number): void {
  describe(`read state (${label})`, () => {
    let store: Store;

    beforeAll(async () => {
      store = await open();
    });

    afterAll(async () => {
      await store.close();
    });

    it("counts other members' messages as unread, never a member's own or non-messages", async () => {
      const r = await room(store, 2);
      const [john, kevin] = [r.members[0]!, r.members[1]!];
      for (let i = 0; i < 5; i++)
        await store.appendEvents(r.conversationId, [text(john.id, `m${i}`)], at(1), guardOf(john));
      await store.appendEvents(r.conversationId, [{ type: 'custom:thing', from: john.id, body: {} }], at(1));
      await store.appendEvents(r.conversationId, [text(kevin.id, 'reply')], at(1), guardOf(kevin));
      expect(await unread(store, kevin)).toBe(5);
      expect(await unread(store, john)).toBe(1);
    });

    it('moves the seen pointer forward only, with the unread count, in the receipt’s commit', async () => {
      const r = await room(store, 2);
      const [john, kevin] = [r.members[0]!, r.members[1]!];
      const sent = [];
      for (let i = 0; i < 5; i++)
        sent.push(...(await store.appendEvents(r.conversationId, [text(john.id, `m${i}`)], at(1))));
      await store.appendEvents(
        r.conversationId,
        [receipt('text:seen', kevin.id, sent[2]!.id)],
        at(2),
        guardOf(kevin),
      );
      expect(await store.getReadState(kevin.id)).toEqual({
        lastDeliveredEventId: sent[2]!.id,
        lastSeenEventId: sent[2]!.id,
        unreadCount: 2,
      });
      await store.appendEvents(
        r.conversationId,
        [receipt('text:seen', kevin.id, sent[0]!.id)],
        at(3),
        guardOf(kevin),
      );
      expect(await store.getReadState(kevin.id)).toMatchObject({
        lastSeenEventId: sent[2]!.id,
        unreadCount: 2,
      });
    });

    it('stores delivered receipts apart from seen ones, and never past the newest event', async () => {
      const r = await room(store, 2);
      const [john, kevin] = [r.members[0]!, r.members[1]!];
      const [first] = await store.appendEvents(r.conversationId, [text(john.id, 'hi')], at(1));
      await store.appendEvents(
        r.conversationId,
        [receipt('text:delivered', kevin.id, first!.id)],
        at(2),
        guardOf(kevin),
      );
      expect(await store.getReadState(kevin.id)).toEqual({
        lastDeliveredEventId: first!.id,
        lastSeenEventId: 0,
        unreadCount: 1,
      });
      const [seen] = await store.appendEvents(
        r.conversationId,
        [receipt('message:seen', kevin.id, 10_000)],
        at(3),
        guardOf(kevin),
      );
      expect(await store.getReadState(kevin.id)).toEqual({
        lastDeliveredEventId: seen!.id,
        lastSeenEventId: seen!.id,
        unreadCount: 0,
      });
    });

    it('stops counting deleted messages, and starts a (re)joined member at zero', async () => {
      const r = await room(store, 3);
      const [john, kevin, larry] = [r.members[0]!, r.members[1]!, r.members[2]!];
      const [a] = await store.appendEvents(r.conversationId, [text(john.id, 'a')], at(1));
      await store.appendEvents(r.conversationId, [text(john.id, 'b')], at(1));
      await moveTo(store, r, larry, 'LEFT');
      await store.markEventDeleted(r.conversationId, a!.id, at(2));
      await store.markEventDeleted(r.conversationId, a!.id, at(2));
      expect(await unread(store, kevin)).toBe(1);
      expect(await unread(store, larry)).toBe(0);
      await moveTo(store, r, larry, 'JOINED');
      expect(await unread(store, larry)).toBe(0);
      await store.appendEvents(r.conversationId, [text(john.id, 'c')], at(3));
      expect(await unread(store, larry)).toBe(1);
      expect(await unread(store, kevin)).toBe(2);
    });

    it('lists the read state with each of a user’s conversations', async () => {
      const r = await room(store, 2);
      const [john, kevin] = [r.members[0]!, r.members[1]!];
      await store.appendEvents(r.conversationId, [text(john.id, 'a'), text(john.id, 'b')], at(1));
      const page = await store.listUserConversations(kevin.userId, { limit: 10, order: 'asc' });
      expect(page.items.map((m) => m.readState)).toEqual([
        { lastDeliveredEventId: 0, lastSeenEventId: 0, unreadCount: 2 },
      ]);
    });

    it('keeps every unread count equal to a recount from history, whatever the interleaving', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
          const r = await room(store, MEMBERS);
          for (const o of ops) await apply(store, r, o);
          const events = (await store.listEvents(r.conversationId, { limit: 1000, order: 'asc' })).items;
          const expected = recount(events, r.members);
          for (const member of r.members) expect(await unread(store, member)).toBe(expected.get(member.id));
        }),
        { numRuns: runs },
      );
    });

    it('orders every guarded send racing a mute before the mute, or refuses it', async () => {
      const r = await room(store, 2);
      const [john, kevin] = [r.members[0]!, r.members[1]!];
      const sends = Array.from({ length: 30 }, (_, i) =>
        store.appendEvents(r.conversationId, [text(kevin.id, `m${i}`)], at(i), guardOf(kevin)).then(
          (events) => events[0]!.id,
          (error: unknown) => (error as { code?: string }).code,
        ),
      );
      const mute = store.transaction(async (tx) => {
        await tx.updateMember(kevin.id, { muted: true });
        const [event] = await tx.appendEvents(
          r.conversationId,
          [{ type: 'member:muted', from: john.id, body: {} }],
          at(5),
        );
        return event!.id;
      });
      const [muteId, ...outcomes] = await Promise.all([mute, ...sends]);
      for (const outcome of outcomes) {
        if (typeof outcome === 'number') expect(outcome).toBeLessThan(muteId);
        else expect(outcome).toBe('conversation:error:muted');
      }
    });

    it('keeps counts right under concurrent sends, receipts and deletes', async () => {
      const r = await room(store, 3);
      const [john, kevin, larry] = [r.members[0]!, r.members[1]!, r.members[2]!];
      const sends = Array.from({ length: 30 }, (_, i) => {
        const from = [john, kevin, larry][i % 3]!;
        return store.appendEvents(r.conversationId, [text(from.id, `m${i}`)], at(i), guardOf(from));
      });
      const receipts = Array.from({ length: 10 }, (_, i) =>
        store.appendEvents(
          r.conversationId,
          [receipt('text:seen', kevin.id, 3 * i + 5)],
          at(i),
          guardOf(kevin),
        ),
      );
      await Promise.all([...sends, ...receipts]);
      await Promise.all([4, 8, 12, 16].map((id) => store.markEventDeleted(r.conversationId, id, at(40))));
      const events = (await store.listEvents(r.conversationId, { limit: 1000, order: 'asc' })).items;
      const expected = recount(events, r.members);
      for (const member of r.members) expect(await unread(store, member)).toBe(expected.get(member.id));
    });
  });
}

describe.skipIf(!storeSelected('sqlite'))('SQLite', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-read-state-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  readStateContract('SQLite', () => openSqliteStore({ file: join(dir, 'read-state.db') }), 60);
});

describe.skipIf(pgSkip !== undefined)('PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  beforeAll(async () => {
    database = await freshPostgresDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  readStateContract('PostgreSQL', () => openPostgresStore({ url: database.url, poolSize: 4 }), 15);
});

/** Unread counts are read from counters: listing them never touches the events table, however long history is. */
async function expectListingWithoutHistory(store: Store, statements: string[]): Promise<void> {
  const r = await room(store, 2);
  const [john, kevin] = [r.members[0]!, r.members[1]!];
  for (let i = 0; i < 20; i++) {
    await store.appendEvents(
      r.conversationId,
      Array.from({ length: 50 }, () => text(john.id, 'x')),
      at(i),
    );
  }
  statements.length = 0;
  const page = await store.listUserConversations(kevin.userId, { limit: 10, order: 'asc' });
  expect(page.items[0]?.readState.unreadCount).toBe(1000);
  expect(statements.length).toBe(1);
  expect(statements.some((sql) => /"events"/.test(sql))).toBe(false);
}

describe('unread listing cost', () => {
  it.skipIf(!storeSelected('sqlite'))('is one query that reads no history, on SQLite', async () => {
    const { log, statements } = statementLog();
    const database = await openSqliteDatabase(':memory:');
    const store = await KyselyStore.open(
      new Kysely<Schema>({ dialect: new SqliteDialect({ database }), log }),
      sqliteCapabilities,
    );
    try {
      await expectListingWithoutHistory(store, statements);
    } finally {
      await store.close();
    }
  });

  it.skipIf(pgSkip !== undefined)('is one query that reads no history, on PostgreSQL', async () => {
    const database = await freshPostgresDatabase();
    const { log, statements } = statementLog();
    const dialect = new PostgresDialect({ pool: openPostgresPool({ url: database.url, poolSize: 2 }) });
    const store = await KyselyStore.open(new Kysely<Schema>({ dialect, log }), postgresCapabilities);
    try {
      await expectListingWithoutHistory(store, statements);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
