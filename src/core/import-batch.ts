import { isDeepStrictEqual } from 'node:util';
import { isParleyError } from '../protocol/errors.js';
import type {
  ApplicationRecord,
  ConversationRecord,
  EventRecord,
  MemberRecord,
  UserRecord,
} from '../store/records.js';
import type { Store } from '../store/store.js';
import type { DumpConversation, DumpEvent, DumpMember, DumpRef, DumpUser, ImportItem } from './dump-items.js';
import type { ImportReport } from './import-report.js';

/** What one batch of an import applies against. */
export interface BatchContext {
  application: ApplicationRecord;
  overwrite: boolean;
  report: ImportReport;
  /**
   * Keeps a member or event whose user or conversation is not stored yet, for the pass after the last line;
   * null on that pass, which refuses them instead.
   */
  defer: ((item: ImportItem) => Promise<void>) | null;
  /** Creation time of objects the dump gives none for. */
  now: string;
}

type ItemOf<K extends ImportItem['kind']> = Extract<ImportItem, { kind: K }>;

const only = <K extends ImportItem['kind']>(items: readonly ImportItem[], kind: K): ItemOf<K>[] =>
  items.filter((item): item is ItemOf<K> => item.kind === kind);

const byId = <K, T extends { id: K }>(records: readonly T[]): Map<K, T> =>
  new Map(records.map((record) => [record.id, record]));

/**
 * Applies one batch of a dump inside the transaction `tx`: users and conversations first, then members and
 * events, so a batch may name a user before the line that defines it. Returns the events it created, by
 * conversation, for `--notify`.
 */
export async function applyBatch(
  tx: Store,
  items: readonly ImportItem[],
  ctx: BatchContext,
): Promise<Map<string, EventRecord[]>> {
  await applyUsers(tx, only(items, 'user'), ctx);
  await applyConversations(tx, only(items, 'conversation'), ctx);
  await applyMembers(tx, only(items, 'member'), ctx);
  return applyEvents(tx, only(items, 'event'), ctx);
}

/**
 * The common end of every object: unchanged when nothing differs, a conflict when something does (unless
 * overwriting), else written; a catalogue error from the write (a name taken) refuses the line.
 */
async function settle(
  ctx: BatchContext,
  ref: DumpRef,
  stored: boolean,
  fields: string[],
  write: () => Promise<boolean>,
): Promise<boolean> {
  if (stored && fields.length === 0) {
    ctx.report.count('unchanged', ref.kind);
    return false;
  }
  if (stored && !ctx.overwrite) {
    ctx.report.conflict(ref, fields);
    return false;
  }
  try {
    if (!(await write())) {
      ctx.report.refused(ref, 'system:error:cross-application', `${ref.id} belongs to another application`);
      return false;
    }
  } catch (error) {
    if (!isParleyError(error)) throw error;
    ctx.report.refused(ref, error.code, error.message);
    return false;
  }
  ctx.report.count(stored ? 'overwritten' : 'created', ref.kind);
  return true;
}

async function applyUsers(tx: Store, items: ItemOf<'user'>[], ctx: BatchContext): Promise<void> {
  const stored = byId(await tx.findUsers(items.map((item) => item.user.id)));
  for (const { line, user: given } of items) {
    const ref: DumpRef = { line, kind: 'user', id: given.id };
    const before = stored.get(given.id);
    if (before && before.applicationId !== ctx.application.id) {
      ctx.report.refused(
        ref,
        'system:error:cross-application',
        `User ${given.id} belongs to another application`,
      );
      continue;
    }
    const record: UserRecord = {
      ...given,
      applicationId: ctx.application.id,
      created: given.created ?? before?.created ?? ctx.now,
    };
    const fields = before ? userChanges(before, given) : [];
    if (await settle(ctx, ref, before !== undefined, fields, () => tx.putUser(record))) {
      stored.set(record.id, record);
    }
  }
}

async function applyConversations(
  tx: Store,
  items: ItemOf<'conversation'>[],
  ctx: BatchContext,
): Promise<void> {
  const stored = byId(await tx.findConversations(items.map((item) => item.conversation.id)));
  for (const { line, conversation: given } of items) {
    const ref: DumpRef = { line, kind: 'conversation', id: given.id };
    const before = stored.get(given.id);
    if (before && before.applicationId !== ctx.application.id) {
      ctx.report.refused(
        ref,
        'system:error:cross-application',
        `Conversation ${given.id} belongs to another application`,
      );
      continue;
    }
    const created = given.created ?? before?.created ?? ctx.now;
    const record: ConversationRecord = {
      id: given.id,
      applicationId: ctx.application.id,
      name: given.name,
      displayName: given.displayName,
      imageUrl: given.imageUrl,
      state: given.state,
      joinPolicy: given.joinPolicy,
      customData: given.customData,
      ttl: given.ttl,
      type: given.type,
      customSortKey: given.customSortKey,
      numbers: given.numbers,
      callback: given.callback,
      lastEventId: before?.lastEventId ?? 0,
      createdBy: given.createdBy !== undefined ? given.createdBy : (before?.createdBy ?? null),
      created,
      updated: given.updated ?? before?.updated ?? created,
    };
    const fields = before ? conversationChanges(before, given) : [];
    if (await settle(ctx, ref, before !== undefined, fields, () => tx.putConversation(record))) {
      stored.set(record.id, record);
    }
  }
}

async function applyMembers(tx: Store, items: ItemOf<'member'>[], ctx: BatchContext): Promise<void> {
  if (items.length === 0) return;
  const conversations = byId(await tx.findConversations(items.map((item) => item.member.conversationId)));
  const users = byId(await tx.findUsers(items.map((item) => item.member.userId)));
  const stored = byId(await tx.findMembers(items.map((item) => item.member.id)));
  for (const item of items) {
    const { line, member: given } = item;
    const ref: DumpRef = { line, kind: 'member', id: given.id, conversationId: given.conversationId };
    const conversation = conversations.get(given.conversationId);
    const user = users.get(given.userId);
    if (!conversation || !user) {
      if (ctx.defer) await ctx.defer(item);
      else if (!conversation) refuseMissingConversation(ctx, ref, given.conversationId);
      else
        ctx.report.refused(
          ref,
          'user:error:not-found',
          `User ${given.userId} is neither in the dump nor stored`,
        );
      continue;
    }
    if (conversation.applicationId !== ctx.application.id || user.applicationId !== ctx.application.id) {
      ctx.report.refused(
        ref,
        'system:error:cross-application',
        `Member ${given.id} names another application's objects`,
      );
      continue;
    }
    const before = stored.get(given.id);
    if (before && before.conversationId !== given.conversationId) {
      ctx.report.refused(
        ref,
        'http:error:validation-fail',
        `Member ${given.id} belongs to conversation ${before.conversationId}`,
      );
      continue;
    }
    const record: MemberRecord = {
      ...given,
      invitedBy: given.invitedBy !== undefined ? given.invitedBy : (before?.invitedBy ?? null),
      created: given.created ?? before?.created ?? earliest(given.timestamps) ?? ctx.now,
    };
    const fields = before ? memberChanges(before, given) : [];
    if (await settle(ctx, ref, before !== undefined, fields, () => tx.putMember(record))) {
      stored.set(record.id, record);
    }
  }
}

async function applyEvents(
  tx: Store,
  items: ItemOf<'event'>[],
  ctx: BatchContext,
): Promise<Map<string, EventRecord[]>> {
  const created = new Map<string, EventRecord[]>();
  const groups = new Map<string, ItemOf<'event'>[]>();
  for (const item of items) {
    const group = groups.get(item.event.conversationId);
    if (group) group.push(item);
    else groups.set(item.event.conversationId, [item]);
  }
  if (groups.size === 0) return created;
  const conversations = byId(await tx.findConversations([...groups.keys()]));
  for (const [conversationId, group] of groups) {
    const conversation = conversations.get(conversationId);
    if (!conversation || conversation.applicationId !== ctx.application.id) {
      for (const item of group) {
        const ref = eventRef(item);
        if (conversation) {
          ctx.report.refused(
            ref,
            'system:error:cross-application',
            `Conversation ${conversationId} belongs to another application`,
          );
        } else if (ctx.defer) await ctx.defer(item);
        else refuseMissingConversation(ctx, ref, conversationId);
      }
      continue;
    }
    const fresh = await applyConversationEvents(tx, conversation, group, ctx);
    if (fresh.length > 0) created.set(conversationId, fresh);
  }
  return created;
}

/** The events of one conversation in a batch: compared with what is stored, then written in one go. */
async function applyConversationEvents(
  tx: Store,
  conversation: ConversationRecord,
  items: ItemOf<'event'>[],
  ctx: BatchContext,
): Promise<EventRecord[]> {
  const conversationId = conversation.id;
  // No stored event has an id above the counter, so a history imported in order needs no lookup at all.
  const known = items.map((item) => item.event.id).filter((id) => id <= conversation.lastEventId);
  const stored = byId(known.length === 0 ? [] : await tx.findEvents(conversationId, known));
  // By id, so an id twice in one batch is written once (the later line wins, with --overwrite).
  const writes = new Map<number, { ref: DumpRef; record: EventRecord; stored: boolean }>();
  for (const item of items) {
    const given = item.event;
    const ref = eventRef(item);
    const before = writes.get(given.id)?.record ?? stored.get(given.id);
    const record: EventRecord = {
      ...given,
      conversationId,
      // Deleting an event removes its content, in Parley as in the history it came from.
      body: given.deleted === null ? given.body : {},
      clientRef: given.clientRef !== undefined ? given.clientRef : (before?.clientRef ?? null),
    };
    const fields = before ? eventChanges(before, record, given) : [];
    if (before && fields.length === 0) ctx.report.count('unchanged', 'event');
    else if (before && !ctx.overwrite) ctx.report.conflict(ref, fields);
    else writes.set(given.id, { ref, record, stored: before !== undefined });
  }
  const all = [...writes.values()];
  try {
    await tx.putEvents(
      conversationId,
      all.map((write) => write.record),
    );
  } catch (error) {
    if (!isParleyError(error)) throw error;
    // Some clientRef is taken: write them one at a time to find which.
    const fresh: EventRecord[] = [];
    for (const write of all) {
      try {
        await tx.putEvents(conversationId, [write.record]);
      } catch (single) {
        if (!isParleyError(single)) throw single;
        const sender = write.record.from ?? 'the system';
        const reason = `client_ref ${write.record.clientRef} of ${sender} already names another event`;
        ctx.report.refused(write.ref, single.code, reason);
        continue;
      }
      ctx.report.count(write.stored ? 'overwritten' : 'created', 'event');
      if (!write.stored) fresh.push(write.record);
    }
    return fresh;
  }
  for (const write of all) ctx.report.count(write.stored ? 'overwritten' : 'created', 'event');
  return all.filter((write) => !write.stored).map((write) => write.record);
}

const eventRef = ({ line, event }: ItemOf<'event'>): DumpRef => ({
  line,
  kind: 'event',
  id: event.id,
  conversationId: event.conversationId,
});

function refuseMissingConversation(ctx: BatchContext, ref: DumpRef, conversationId: string): void {
  ctx.report.refused(
    ref,
    'conversation:error:not-found',
    `Conversation ${conversationId} is neither in the dump nor stored`,
  );
}

/** The earliest of a member's timestamps: when it came to be, as far as its history tells. */
function earliest(timestamps: MemberRecord['timestamps']): string | undefined {
  const times = Object.values(timestamps).filter((t): t is string => typeof t === 'string');
  return times.length === 0 ? undefined : times.sort()[0];
}

/** The wire names of the fields in which `given` differs from what is stored; optional fields when given. */
function differences(checks: [field: string, differs: boolean][]): string[] {
  return checks.filter(([, differs]) => differs).map(([field]) => field);
}

const differsIfGiven = <T>(value: T | undefined, stored: T): boolean =>
  value !== undefined && !isDeepStrictEqual(value, stored);

function userChanges(stored: UserRecord, dump: DumpUser): string[] {
  return differences([
    ['name', stored.name !== dump.name],
    ['display_name', stored.displayName !== dump.displayName],
    ['image_url', stored.imageUrl !== dump.imageUrl],
    ['properties.custom_data', !isDeepStrictEqual(stored.customData, dump.customData)],
    ['channels', !isDeepStrictEqual(stored.channels, dump.channels)],
    ['_parley.created', differsIfGiven(dump.created, stored.created)],
  ]);
}

/** `updated` and the counter are left out: both move whenever someone writes in the conversation. */
function conversationChanges(stored: ConversationRecord, dump: DumpConversation): string[] {
  return differences([
    ['name', stored.name !== dump.name],
    ['display_name', stored.displayName !== dump.displayName],
    ['image_url', stored.imageUrl !== dump.imageUrl],
    ['state', stored.state !== dump.state],
    ['properties.custom_data', !isDeepStrictEqual(stored.customData, dump.customData)],
    ['properties.ttl', stored.ttl !== dump.ttl],
    ['properties.type', stored.type !== dump.type],
    ['properties.custom_sort_key', stored.customSortKey !== dump.customSortKey],
    ['numbers', !isDeepStrictEqual(stored.numbers, dump.numbers)],
    ['callback', !isDeepStrictEqual(stored.callback, dump.callback)],
    ['timestamp.created', differsIfGiven(dump.created, stored.created)],
    ['_parley.created_by', differsIfGiven(dump.createdBy, stored.createdBy)],
  ]);
}

function memberChanges(stored: MemberRecord, dump: DumpMember): string[] {
  return differences([
    ['_embedded.user.id', stored.userId !== dump.userId],
    ['state', stored.state !== dump.state],
    ['timestamp', !isDeepStrictEqual(stored.timestamps, dump.timestamps)],
    ['channel', !isDeepStrictEqual(stored.channel, dump.channel)],
    ['invited_by', differsIfGiven(dump.invitedBy, stored.invitedBy)],
    ['_parley.created', differsIfGiven(dump.created, stored.created)],
  ]);
}

function eventChanges(stored: EventRecord, record: EventRecord, dump: DumpEvent): string[] {
  return differences([
    ['type', stored.type !== record.type],
    ['from', stored.from !== record.from],
    ['body', !isDeepStrictEqual(stored.body, record.body)],
    ['timestamp', stored.timestamp !== record.timestamp],
    ['deleted', stored.deleted !== record.deleted],
    ['_parley.client_ref', differsIfGiven(dump.clientRef, stored.clientRef)],
  ]);
}
