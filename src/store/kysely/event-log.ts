import { ParleyError } from '../../protocol/errors.js';
import type { EventsTable } from '../database.js';
import type { AppendGuard, EventRecord, MemberRecord, NewEvent } from '../records.js';
import type { Store } from '../store.js';
import { isMessageType } from '../../protocol/read-state.js';
import { lockConversation } from './conversation-lock.js';
import { conversations } from './conversations.js';
import { pageBy, type KeyColumn } from './keyset.js';
import { members } from './members.js';
import { applyReceipts, excludeDeleted, excludeOwn, messagesBySender } from './read-state.js';
import { toEvent } from './row-mappers.js';
import type { SqlScope } from './sql-scope.js';

export type EventLog = Pick<Store, 'appendEvents' | 'getEvent' | 'listEvents' | 'markEventDeleted'>;

/** Events page by id alone: ids are unique, and gapless, within a conversation. */
const BY_ID: readonly KeyColumn[] = [{ ref: 'id', kind: 'number' }];

/** Rows per multi-row insert: far below SQLite's and PostgreSQL's bind-parameter limits. */
const INSERT_CHUNK = 100;

/** Each conversation's events, numbered 1, 2, 3 … by the counter on the conversation row. */
export function eventLog(scope: SqlScope): EventLog {
  const { db } = scope;
  return {
    // One transaction: the clientRef lookup, the id reservation and the inserts stand or fall together, and
    // inside a caller's transaction (group commit) they join it.
    appendEvents: (conversationId, events, timestamp, guard) =>
      scope.transaction((tx) => append(tx, conversationId, events, timestamp, guard)),

    // By primary key, (conversation_id, id): an id means nothing outside its conversation.
    getEvent: (conversationId, id) =>
      scope.find(
        db
          .selectFrom('events')
          .selectAll()
          .where('conversation_id', '=', conversationId)
          .where('id', '=', id),
        toEvent,
      ),

    // The realtime hub fills gaps from an id range; REST and realtime clients also filter by type and deletion.
    listEvents(conversationId, query) {
      let select = db.selectFrom('events').selectAll().where('conversation_id', '=', conversationId);
      if (query.startId !== undefined) select = select.where('id', '>=', query.startId);
      if (query.endId !== undefined) select = select.where('id', '<=', query.endId);
      const type = query.type;
      if (type?.endsWith('*')) {
        // substr rather than LIKE: LIKE is case-insensitive on SQLite and treats `_` in type names as a wildcard.
        const prefix = type.slice(0, -1);
        select = select.where((eb) =>
          eb(eb.fn<string>('substr', ['type', eb.lit(1), eb.lit([...prefix].length)]), '=', prefix),
        );
      } else if (type !== undefined) {
        select = select.where('type', '=', type);
      }
      if (query.excludeDeleted) select = select.where('deleted', 'is', null);
      // Timestamps are ISO-8601 UTC strings of one width, so text order is time order.
      if (query.dateStart !== undefined) select = select.where('timestamp', '>=', query.dateStart);
      if (query.dateEnd !== undefined) select = select.where('timestamp', '<=', query.dateEnd);
      return pageBy(select, query, BY_ID, toEvent);
    },

    // The row stays, so ids stay gapless and clients see the deletion; the content does not. A message
    // deleted for the first time stops counting as unread, in the same commit.
    markEventDeleted: (conversationId, id, at) =>
      scope.transaction(async (tx) => {
        await lockConversation(tx, conversationId);
        const before = await tx.db
          .selectFrom('events')
          .select('deleted')
          .where('conversation_id', '=', conversationId)
          .where('id', '=', id)
          .executeTakeFirst();
        const deleted = await tx.update(
          tx.db
            .updateTable('events')
            .set({ deleted: at, body: '{}' })
            .where('conversation_id', '=', conversationId)
            .where('id', '=', id)
            .returningAll(),
          toEvent,
        );
        if (deleted && before?.deleted === null) await excludeDeleted(tx, deleted);
        return deleted;
      }),
  };
}

/** `appendEvents` inside its transaction; see `Store.appendEvents` for the contract. */
async function append(
  tx: SqlScope,
  conversationId: string,
  events: NewEvent[],
  timestamp: string,
  guard: AppendGuard | undefined,
): Promise<EventRecord[]> {
  const { fresh, slots } = place(events, await storedByRef(tx, conversationId, events));
  if (fresh.length === 0) {
    await checkWithoutWriting(tx, conversationId, events, guard);
    return slots.filter((slot) => typeof slot !== 'number');
  }
  const sent = messagesBySender(fresh);
  if (guard) {
    // `storedByRef` has taken the conversation lock already when any event carries a clientRef.
    const locked = events.some((event) => event.clientRef != null);
    await checkGuard(tx, conversationId, guard, sent.get(guard.memberId) ?? 0, locked);
  }
  const messages = fresh.filter((event) => isMessageType(event.type)).length;
  const firstId = await reserveIds(tx, conversationId, fresh.length, messages, timestamp);
  for (const [memberId, count] of sent) {
    if (memberId !== guard?.memberId) await excludeOwn(tx, conversationId, memberId, count);
  }
  const rows: EventsTable[] = fresh.map((event, i) => ({
    conversation_id: conversationId,
    id: firstId + i,
    type: event.type,
    from_member: event.from,
    body: JSON.stringify(event.body),
    timestamp,
    deleted: null,
    client_ref: event.clientRef ?? null,
  }));
  await insert(tx, rows);
  const inserted = rows.map(toEvent);
  await applyReceipts(tx, inserted, firstId + fresh.length - 1);
  return slots.map((slot) => (typeof slot === 'number' ? (inserted[slot] ?? missingSlot()) : slot));
}

/** The events this conversation already holds for the clientRefs in `events`, by sender and ref. */
async function storedByRef(
  tx: SqlScope,
  conversationId: string,
  events: NewEvent[],
): Promise<Map<string, EventRecord>> {
  const stored = new Map<string, EventRecord>();
  const refs = [...new Set(events.flatMap((event) => (event.clientRef == null ? [] : [event.clientRef])))];
  if (refs.length === 0) return stored;
  // Lock first, look second: a concurrent send with the same clientRef then waits for this transaction and
  // finds its event, instead of both missing each other and one failing on the unique index. On PostgreSQL
  // that relies on READ COMMITTED, where the select's snapshot is taken after the lock is won. Where writers
  // already take turns (SQLite) nothing can commit in between, and the lock would only write the row twice.
  await lockConversation(tx, conversationId);
  const rows = await tx.db
    .selectFrom('events')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('client_ref', 'in', refs)
    .execute();
  for (const row of rows) stored.set(refKey(row.from_member, row.client_ref), toEvent(row));
  return stored;
}

/**
 * Gives each input position either an already stored event or an index into `fresh`, the events to store:
 * a clientRef repeated within one call is stored once, like one repeated across calls.
 */
function place(
  events: NewEvent[],
  stored: Map<string, EventRecord>,
): { fresh: NewEvent[]; slots: (EventRecord | number)[] } {
  const fresh: NewEvent[] = [];
  const slots: (EventRecord | number)[] = [];
  const freshByRef = new Map<string, number>();
  for (const event of events) {
    const key = event.clientRef == null ? undefined : refKey(event.from, event.clientRef);
    const earlier = key === undefined ? undefined : (stored.get(key) ?? freshByRef.get(key));
    if (earlier !== undefined) {
      slots.push(earlier);
      continue;
    }
    if (key !== undefined) freshByRef.set(key, fresh.length);
    slots.push(fresh.length);
    fresh.push(event);
  }
  return { fresh, slots };
}

/**
 * With nothing new to store, the refusals an append would have raised are still owed: a retried send from a
 * member who has left is refused, and an empty append to a missing conversation reports it.
 */
async function checkWithoutWriting(
  tx: SqlScope,
  conversationId: string,
  events: NewEvent[],
  guard: AppendGuard | undefined,
): Promise<void> {
  if (guard) {
    const member = await members(tx).getMember(guard.memberId);
    if (!isGuardMet(member, conversationId, guard)) throw await guardFailure(tx, conversationId);
  } else if (events.length === 0 && !(await conversations(tx).getConversation(conversationId))) {
    throw conversationNotFound();
  }
}

/**
 * A guarded append goes ahead only while the member is the user's, JOINED and not muted; the check is an update of the
 * member row (counting the member's own messages), so it sees any membership change committed before it.
 * Membership changes lock the conversation row first, so where writers interleave (PostgreSQL) the append
 * takes that lock before the check too: a change racing the send is then wholly before or wholly after it.
 */
async function checkGuard(
  tx: SqlScope,
  conversationId: string,
  guard: AppendGuard,
  sent: number,
  locked: boolean,
): Promise<void> {
  if (!locked) await lockConversation(tx, conversationId);
  const { rows } = await tx.db.executeQuery(
    tx.queries.guardMember.bind({
      sent,
      member: guard.memberId,
      conversation: conversationId,
      user: guard.userId,
    }),
  );
  if (rows.length === 0) {
    const member = await members(tx).getMember(guard.memberId);
    if (isGuardMet(member, conversationId, guard) && member?.muted)
      throw new ParleyError('conversation:error:muted');
    throw await guardFailure(tx, conversationId);
  }
}

/**
 * Reserves `count` ids with one increment of the conversation's counter, so ids are gapless and a concurrent
 * append waits on the row; the same statement counts the messages among them.
 */
async function reserveIds(
  tx: SqlScope,
  conversationId: string,
  count: number,
  messages: number,
  timestamp: string,
): Promise<number> {
  const { rows } = await tx.db.executeQuery(
    tx.queries.reserve.bind({ count, messages, updated: timestamp, conversation: conversationId }),
  );
  const bumped = rows[0];
  if (!bumped) throw conversationNotFound();
  return Number(bumped.last_event_id) - count + 1;
}

/**
 * One row, the common case of a single send, goes through the statement compiled once per store; a batch
 * through builder inserts of `INSERT_CHUNK` rows, whose SQL varies with the row count.
 */
async function insert(tx: SqlScope, rows: EventsTable[]): Promise<void> {
  const [only] = rows;
  if (rows.length === 1 && only) {
    await tx.db.executeQuery(
      tx.queries.insertEvent.bind({
        conversation: only.conversation_id,
        id: only.id,
        type: only.type,
        from: only.from_member,
        body: only.body,
        timestamp: only.timestamp,
        clientRef: only.client_ref,
      }),
    );
    return;
  }
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await tx.db
      .insertInto('events')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .execute();
  }
}

/** Why a guarded append was refused: the conversation is gone, or the member is not JOINED in it. */
async function guardFailure(tx: SqlScope, conversationId: string): Promise<ParleyError> {
  return (await conversations(tx).getConversation(conversationId))
    ? new ParleyError('conversation:error:not-member')
    : conversationNotFound();
}

/** clientRefs are unique per sender, so the same ref from two members names two events. */
const refKey = (from: string | null, clientRef: string | null): string => JSON.stringify([from, clientRef]);

const isGuardMet = (member: MemberRecord | undefined, conversationId: string, guard: AppendGuard): boolean =>
  member?.conversationId === conversationId && member.userId === guard.userId && member.state === 'JOINED';

const conversationNotFound = (): ParleyError => new ParleyError('conversation:error:not-found');

const missingSlot = (): never => {
  throw new Error('appendEvents lost track of an event');
};
