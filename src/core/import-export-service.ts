import { ParleyError } from '../protocol/errors.js';
import type { ApplicationRecord, ConversationRecord, Page, PageQuery, UserRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { Principal } from './auth/principal.js';
import { nowIso } from './clock.js';
import { DeferredItems } from './deferred-items.js';
import type { DumpRecord, ImportItem, ImportOptions, ImportSummary } from './dump-items.js';
import type { EventSink } from './event-sink.js';
import { applyBatch, type BatchContext } from './import-batch.js';
import { ImportReport } from './import-report.js';

/** Lines per transaction: large enough that commits are not the cost, small enough to bound memory. */
export const IMPORT_BATCH = 1000;

/** Rows per page an export reads. */
const EXPORT_PAGE = 1000;

/**
 * Moves an application's history in and out as a dump (`parley import`, `parley export`): objects keep their
 * ids and timestamps. Imported events are history: they reach live subscribers only with `notify`.
 */
export class ImportExportService {
  constructor(
    private readonly store: Store,
    private readonly sink: EventSink,
  ) {}

  /**
   * The application a caller may import into or export from: the API key and secret (`null` here) reach
   * every application, an application token its own, and a user token none.
   */
  async application(principal: Principal | null, id: string): Promise<ApplicationRecord> {
    if (principal?.user) {
      throw new ParleyError(
        'system:error:forbidden',
        'Import and export need an application token or the API key and secret, not a user token',
      );
    }
    if (principal && principal.application.id !== id) throw new ParleyError('system:error:cross-application');
    const application = await this.store.getApplication(id);
    if (!application) throw new ParleyError('application:error:not-found', `Application ${id} not found`);
    return application;
  }

  /**
   * Imports the items in batches, one transaction each, as they arrive; members and events whose user or
   * conversation comes later in the dump are applied after the last line.
   */
  async import(
    application: ApplicationRecord,
    items: AsyncIterable<ImportItem>,
    options: ImportOptions,
  ): Promise<ImportSummary> {
    const report = new ImportReport();
    const deferred = new DeferredItems();
    const context = (final: boolean): BatchContext => ({
      application,
      overwrite: options.overwrite,
      report,
      defer: final ? null : (item) => deferred.add(item),
      now: nowIso(),
    });
    try {
      let batch: ImportItem[] = [];
      for await (const item of items) {
        report.read(item.line);
        if (item.kind === 'malformed') {
          report.malformed(item.line, item.reason);
          if (options.strict) {
            report.stop(item.line);
            break;
          }
          continue;
        }
        batch.push(item);
        if (batch.length >= IMPORT_BATCH) {
          await this.apply(batch, context(false), options.notify);
          batch = [];
        }
      }
      if (batch.length > 0) await this.apply(batch, context(false), options.notify);
      for await (const later of deferred.drain(IMPORT_BATCH)) {
        await this.apply(later, context(true), options.notify);
      }
    } finally {
      await deferred.dispose();
    }
    return report.result();
  }

  /**
   * Checks what an export names before the first line goes out; then `records` streams users, then each
   * conversation with its members and events. With conversations named, only those and their members' users.
   */
  async prepareExport(
    application: ApplicationRecord,
    conversationIds: readonly string[],
  ): Promise<AsyncIterable<DumpRecord>> {
    const named: ConversationRecord[] = [];
    for (const id of new Set(conversationIds)) {
      const [conversation] = await this.store.findConversations([id]);
      if (!conversation)
        throw new ParleyError('conversation:error:not-found', `Conversation ${id} not found`);
      if (conversation.applicationId !== application.id)
        throw new ParleyError('system:error:cross-application');
      named.push(conversation);
    }
    return named.length > 0 ? this.exportConversations(named) : this.exportApplication(application);
  }

  private async apply(batch: ImportItem[], context: BatchContext, notify: boolean): Promise<void> {
    const created = await this.store.transaction((tx) => applyBatch(tx, batch, context));
    if (!notify) return;
    for (const [conversationId, events] of created) {
      this.sink.publish(
        conversationId,
        [...events].sort((a, b) => a.id - b.id),
      );
    }
  }

  private async *exportApplication(application: ApplicationRecord): AsyncGenerator<DumpRecord> {
    for await (const user of pages((page) => this.store.listUsers(application.id, page))) {
      yield { kind: 'user', user };
    }
    for await (const conversation of pages((page) => this.store.listConversations(application.id, page))) {
      yield* this.exportConversation(conversation);
    }
  }

  private async *exportConversations(conversations: ConversationRecord[]): AsyncGenerator<DumpRecord> {
    // Users first, so the dump imports without deferring a member; only the ids are held meanwhile.
    const userIds = new Set<string>();
    for (const conversation of conversations) {
      for await (const member of pages((page) => this.store.listMembers(conversation.id, page))) {
        userIds.add(member.userId);
      }
    }
    const users: UserRecord[] = [];
    const ids = [...userIds];
    for (let i = 0; i < ids.length; i += EXPORT_PAGE) {
      users.push(...(await this.store.findUsers(ids.slice(i, i + EXPORT_PAGE))));
    }
    users.sort((a, b) => (a.created === b.created ? compare(a.id, b.id) : compare(a.created, b.created)));
    for (const user of users) yield { kind: 'user', user };
    for (const conversation of conversations) yield* this.exportConversation(conversation);
  }

  /** A conversation, its members, then its events with the user behind each sender. */
  private async *exportConversation(conversation: ConversationRecord): AsyncGenerator<DumpRecord> {
    yield { kind: 'conversation', conversation };
    const senders = new Map<string, UserRecord>();
    for await (const members of pageBatches((page) => this.store.listMembers(conversation.id, page))) {
      const users = new Map((await this.store.findUsers(members.map((m) => m.userId))).map((u) => [u.id, u]));
      for (const member of members) {
        const user = users.get(member.userId);
        // Deleting a user deletes its members, so every member has its user.
        if (!user) continue;
        senders.set(member.id, user);
        yield { kind: 'member', member, user };
      }
    }
    for await (const event of pages((page) => this.store.listEvents(conversation.id, page))) {
      yield {
        kind: 'event',
        event,
        fromUser: event.from === null ? null : (senders.get(event.from) ?? null),
      };
    }
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Every page of a keyset list, oldest first. */
async function* pageBatches<T>(list: (page: PageQuery) => Promise<Page<T>>): AsyncGenerator<T[]> {
  let after: string | undefined;
  do {
    const page = await list({ limit: EXPORT_PAGE, order: 'asc', after });
    if (page.items.length > 0) yield page.items;
    after = page.next;
  } while (after !== undefined);
}

async function* pages<T>(list: (page: PageQuery) => Promise<Page<T>>): AsyncGenerator<T> {
  for await (const items of pageBatches(list)) yield* items;
}
