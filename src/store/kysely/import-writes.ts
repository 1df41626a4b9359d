import { sql, type Insertable } from 'kysely';
import type { Database, EventsTable } from '../database.js';
import type { EventRecord } from '../records.js';
import type { Store } from '../store.js';
import { toConversation, toEvent, toMember, toUser } from './row-mappers.js';
import { conversationRow, memberRow, userRow } from './row-writers.js';
import type { SqlScope } from './sql-scope.js';

export type ImportWrites = Pick<
  Store,
  | 'findUsers'
  | 'findConversations'
  | 'findMembers'
  | 'findEvents'
  | 'putUser'
  | 'putConversation'
  | 'putMember'
  | 'putEvents'
>;

/** Ids per `in (…)` list: far below SQLite's and PostgreSQL's bind-parameter limits. */
const LOOKUP_CHUNK = 500;

/** Event rows per multi-row upsert (8 parameters each). */
const UPSERT_CHUNK = 100;

/** Splits `items` into runs of at most `size`, so no statement outgrows the bind-parameter limits. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  const runs: T[][] = [];
  for (let i = 0; i < items.length; i += size) runs.push(items.slice(i, i + size));
  return runs;
}

/**
 * Writes for `parley import`: objects stored as a dump gives them, ids and timestamps included, each either
 * inserted or replacing the row with its id. A replacement never moves an object to another application or
 * conversation: the upsert's `where` keeps the stored row, and the put reports `false`.
 */
export function importWrites(scope: SqlScope): ImportWrites {
  const { db } = scope;
  /** Runs `lookup` over `ids` a chunk at a time and concatenates the rows. */
  async function inChunks<K, R>(ids: readonly K[], lookup: (chunk: K[]) => Promise<R[]>): Promise<R[]> {
    const found: R[] = [];
    for (const chunk of chunks([...new Set(ids)], LOOKUP_CHUNK)) found.push(...(await lookup(chunk)));
    return found;
  }
  return {
    findUsers: (ids) =>
      inChunks(ids, async (chunk) =>
        (await db.selectFrom('users').selectAll().where('id', 'in', chunk).execute()).map(toUser),
      ),
    findConversations: (ids) =>
      inChunks(ids, async (chunk) =>
        (await db.selectFrom('conversations').selectAll().where('id', 'in', chunk).execute()).map(
          toConversation,
        ),
      ),
    findMembers: (ids) =>
      inChunks(ids, async (chunk) =>
        (await db.selectFrom('members').selectAll().where('id', 'in', chunk).execute()).map(toMember),
      ),
    findEvents: (conversationId, ids) =>
      inChunks(ids, async (chunk) => {
        const inConversation = db
          .selectFrom('events')
          .selectAll()
          .where('conversation_id', '=', conversationId);
        const first = Math.min(...chunk);
        const last = Math.max(...chunk);
        // A run of ids (a dump's usual batch) as one range of the primary key: planners pick the key for a
        // range even on statistics that predate the import, where an `in` list can make them scan the whole
        // conversation through another index for every batch.
        const dense = last - first < 2 * chunk.length;
        const rows = dense
          ? await inConversation.where('id', '>=', first).where('id', '<=', last).orderBy('id').execute()
          : await inConversation.where('id', 'in', chunk).orderBy('id').execute();
        const wanted = new Set(chunk);
        return rows.map(toEvent).filter((event) => wanted.has(event.id));
      }),

    async putUser(user) {
      const changes = columnsBut(userRow(user), 'id');
      const upsert = db
        .insertInto('users')
        .values(userRow(user))
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet(changes)
            .where(sql.ref('users.application_id'), '=', user.applicationId),
        )
        .returningAll();
      return (await scope.update(upsert, toUser, 'user:error:duplicate-name')) !== undefined;
    },

    async putConversation(conversation) {
      const row = conversationRow(conversation);
      const changes = columnsBut(row, 'id', 'last_event_id');
      const upsert = db
        .insertInto('conversations')
        .values(row)
        .onConflict((oc) =>
          oc
            .column('id')
            // The counter only grows: events already stored (imported or sent since) keep their ids.
            .doUpdateSet({
              ...changes,
              last_event_id: sql<number>`case when conversations.last_event_id > excluded.last_event_id
                then conversations.last_event_id else excluded.last_event_id end`,
            })
            .where(sql.ref('conversations.application_id'), '=', conversation.applicationId),
        )
        .returningAll();
      return (await scope.update(upsert, toConversation, 'conversation:error:duplicate-name')) !== undefined;
    },

    async putMember(member) {
      const changes = columnsBut(memberRow(member), 'id');
      const upsert = db
        .insertInto('members')
        .values(memberRow(member))
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet(changes)
            .where(sql.ref('members.conversation_id'), '=', member.conversationId),
        )
        .returningAll();
      return (await scope.update(upsert, toMember, 'member:error:already-member')) !== undefined;
    },

    async putEvents(conversationId, events) {
      if (events.length === 0) return;
      await scope.transaction(async (tx) => {
        for (const chunk of chunks(
          events.map((event) => eventRow(conversationId, event)),
          UPSERT_CHUNK,
        )) {
          const upsert = tx.db
            .insertInto('events')
            .values(chunk)
            .onConflict((oc) =>
              oc.columns(['conversation_id', 'id']).doUpdateSet((eb) => ({
                type: eb.ref('excluded.type'),
                from_member: eb.ref('excluded.from_member'),
                body: eb.ref('excluded.body'),
                timestamp: eb.ref('excluded.timestamp'),
                deleted: eb.ref('excluded.deleted'),
                client_ref: eb.ref('excluded.client_ref'),
              })),
            );
          // A clientRef its sender already used for another event is the only unique index left to hit.
          await tx.write('http:error:validation-fail', () => upsert.execute());
        }
        const highest = Math.max(...events.map((event) => event.id));
        await tx.db
          .updateTable('conversations')
          .set({ last_event_id: highest })
          .where('id', '=', conversationId)
          .where('last_event_id', '<', highest)
          .execute();
      });
    },
  };
}

/** A row's columns but `keys`: what an upsert by key replaces. */
function columnsBut<R extends object, K extends keyof R>(row: R, ...keys: K[]): Omit<R, K> {
  const rest: Partial<R> = { ...row };
  for (const key of keys) delete rest[key];
  return rest as Omit<R, K>;
}

function eventRow(conversationId: string, event: EventRecord): Insertable<Database['events']> & EventsTable {
  return {
    conversation_id: conversationId,
    id: event.id,
    type: event.type,
    from_member: event.from,
    body: JSON.stringify(event.body),
    timestamp: event.timestamp,
    deleted: event.deleted,
    client_ref: event.clientRef,
  };
}
