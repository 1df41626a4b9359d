import { isMessageType, MESSAGE_TYPES, receiptKind } from '../../protocol/read-state.js';
import type { MembersTable } from '../database.js';
import type { EventRecord, NewEvent, ReadState } from '../records.js';
import type { Store } from '../store.js';
import type { SqlScope } from './sql-scope.js';

/*
 * Unread counts without scanning history. Per conversation one counter, `message_count`, every message ever
 * appended; per member a horizon (max of the last seen event and the event before their latest join), the
 * messages up to it (`horizon_messages`) and the messages after it that do not count for them
 * (`excluded_messages`: their own, and others' that were deleted). Then
 *
 *   unread = message_count - horizon_messages - excluded_messages   (JOINED members; 0 otherwise)
 *
 * Why this and not a counter per member bumped on every send: a send then updates two rows (the conversation
 * row it already locks, and the sender's own member row, which is also its in-commit guard) however many
 * members the conversation has. The costlier moves are rare or proportional to what was read: a seen
 * receipt counts the events between the old and new horizon, a deletion updates the members it was unread for.
 *
 * Every write here runs while the conversation row is locked (`lockConversation`, or the append's id
 * reservation), so these counters change in one order per conversation on every backend.
 */

type ReadColumns = Pick<
  MembersTable,
  'state' | 'last_delivered_event_id' | 'last_seen_event_id' | 'horizon_messages' | 'excluded_messages'
>;

/** A member row's read state, given its conversation's `message_count`. */
export function toReadState(member: ReadColumns, messageCount: number | string): ReadState {
  return {
    lastDeliveredEventId: Number(member.last_delivered_event_id),
    lastSeenEventId: Number(member.last_seen_event_id),
    unreadCount:
      member.state === 'JOINED'
        ? Number(messageCount) - Number(member.horizon_messages) - Number(member.excluded_messages)
        : 0,
  };
}

export type ReadStates = Pick<Store, 'getReadState' | 'readPointers'>;

export function readStates({ db }: SqlScope): ReadStates {
  return {
    async getReadState(memberId) {
      const row = await db
        .selectFrom('members')
        .innerJoin('conversations', 'conversations.id', 'members.conversation_id')
        .selectAll('members')
        .select('conversations.message_count')
        .where('members.id', '=', memberId)
        .executeTakeFirst();
      return row && toReadState(row, row.message_count);
    },
    async readPointers(conversationId) {
      const rows = await db
        .selectFrom('members')
        .select(['id', 'last_delivered_event_id', 'last_delivered_at', 'last_seen_event_id', 'last_seen_at'])
        .where('conversation_id', '=', conversationId)
        .where('last_delivered_event_id', '>', 0)
        .execute();
      return rows.map((row) => ({
        memberId: row.id,
        lastDeliveredEventId: Number(row.last_delivered_event_id),
        lastDeliveredAt: row.last_delivered_at,
        lastSeenEventId: Number(row.last_seen_event_id),
        lastSeenAt: row.last_seen_at,
      }));
    },
  };
}

/** A member who (re)joins starts with nothing unread: history before the join is not theirs to catch up on. */
export async function joinHorizon(tx: SqlScope, memberId: string, conversationId: string): Promise<void> {
  const conversation = await tx.db
    .selectFrom('conversations')
    .select(['last_event_id', 'message_count'])
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  await tx.db
    .updateTable('members')
    .set({
      unread_horizon: Number(conversation.last_event_id),
      horizon_messages: Number(conversation.message_count),
      excluded_messages: 0,
    })
    .where('id', '=', memberId)
    .execute();
}

/** Messages among `events` per sending member (system messages count for everyone, so have no entry). */
export function messagesBySender(events: readonly NewEvent[]): Map<string, number> {
  const sent = new Map<string, number>();
  for (const event of events) {
    if (event.from !== null && isMessageType(event.type))
      sent.set(event.from, (sent.get(event.from) ?? 0) + 1);
  }
  return sent;
}

/** A sender's own messages never count as unread for them. */
export async function excludeOwn(tx: SqlScope, conversationId: string, memberId: string, sent: number) {
  await tx.db
    .updateTable('members')
    .set((eb) => ({ excluded_messages: eb('excluded_messages', '+', sent) }))
    .where('id', '=', memberId)
    .where('conversation_id', '=', conversationId)
    .execute();
}

/** Moves the read pointers named by the receipts among freshly appended `events`, oldest first. */
export async function applyReceipts(
  tx: SqlScope,
  events: readonly EventRecord[],
  lastEventId: number,
): Promise<void> {
  for (const event of events) {
    const kind = receiptKind(event.type);
    const target = event.body.event_id;
    if (kind === undefined || event.from === null) continue;
    const eventId = typeof target === 'number' ? target : Number(target);
    if (!Number.isSafeInteger(eventId) || eventId < 1) continue;
    // Never past the newest event: a receipt cannot acknowledge what does not exist yet.
    const upTo = Math.min(eventId, lastEventId);
    if (kind === 'delivered') await moveDelivered(tx, event.from, upTo, event.timestamp);
    else await moveSeen(tx, event.conversationId, event.from, upTo, event.timestamp);
  }
}

async function moveDelivered(tx: SqlScope, memberId: string, upTo: number, at: string): Promise<void> {
  await tx.db
    .updateTable('members')
    .set({ last_delivered_event_id: upTo, last_delivered_at: at })
    .where('id', '=', memberId)
    .where('last_delivered_event_id', '<', upTo)
    .execute();
}

/** Seen implies delivered; past the horizon, the messages in between move from unread to behind it. */
async function moveSeen(
  tx: SqlScope,
  conversationId: string,
  memberId: string,
  upTo: number,
  at: string,
): Promise<void> {
  const member = await tx.db
    .selectFrom('members')
    .select(['state', 'last_seen_event_id', 'last_delivered_event_id', 'unread_horizon'])
    .where('id', '=', memberId)
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  if (!member || Number(member.last_seen_event_id) >= upTo) return;
  const horizon = Number(member.unread_horizon);
  let passed = { messages: 0, excluded: 0 };
  if (member.state === 'JOINED' && upTo > horizon) {
    passed = await messagesBetween(tx, conversationId, memberId, horizon, upTo);
  }
  await tx.db
    .updateTable('members')
    .set((eb) => ({
      last_seen_event_id: upTo,
      last_seen_at: at,
      ...(Number(member.last_delivered_event_id) < upTo && {
        last_delivered_event_id: upTo,
        last_delivered_at: at,
      }),
      unread_horizon: Math.max(horizon, upTo),
      horizon_messages: eb('horizon_messages', '+', passed.messages),
      excluded_messages: eb('excluded_messages', '-', passed.excluded),
    }))
    .where('id', '=', memberId)
    .execute();
}

/** Messages with ids in (after, upTo], and how many of them were excluded (the member's own, or deleted). */
async function messagesBetween(
  tx: SqlScope,
  conversationId: string,
  memberId: string,
  after: number,
  upTo: number,
): Promise<{ messages: number; excluded: number }> {
  const row = await tx.db
    .selectFrom('events')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('messages'),
      eb.fn
        .sum<number | string | null>(
          eb
            .case()
            .when(eb.or([eb('from_member', '=', memberId), eb('deleted', 'is not', null)]))
            .then(1)
            .else(0)
            .end(),
        )
        .as('excluded'),
    ])
    .where('conversation_id', '=', conversationId)
    .where('id', '>', after)
    .where('id', '<=', upTo)
    .where('type', 'in', MESSAGE_TYPES)
    .executeTakeFirstOrThrow();
  return { messages: Number(row.messages), excluded: Number(row.excluded ?? 0) };
}

/** A deleted message stops counting for every joined member it was still unread for. */
export async function excludeDeleted(tx: SqlScope, event: EventRecord): Promise<void> {
  if (!isMessageType(event.type)) return;
  let members = tx.db
    .updateTable('members')
    .set((eb) => ({ excluded_messages: eb('excluded_messages', '+', 1) }))
    .where('conversation_id', '=', event.conversationId)
    .where('state', '=', 'JOINED')
    .where('unread_horizon', '<', event.id);
  if (event.from !== null) members = members.where('id', '<>', event.from);
  await members.execute();
}
