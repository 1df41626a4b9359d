import { sql, type Kysely, type Updateable } from 'kysely';
import type { ApplicationsTable, Database } from '../database.js';
import { pageBy, type KeyColumn } from '../kysely/keyset.js';
import type { EventRecord, Page, PageQuery } from '../records.js';
import { toEvent } from '../kysely/row-mappers.js';
import type { WebhookOutbox } from '../webhook-outbox.js';
import type {
  ApplicationPatch,
  CursorUpdate,
  DeliveryRecord,
  ReplaySelection,
  WebhookCursor,
  WebhookTarget,
} from '../webhook-records.js';
import { toDelivery, toRow, toTarget, upsertDelivery, type WebhookDatabase } from './webhook-row-mappers.js';
import type { WebhookTables } from './webhook-tables.js';

const BY_UPDATED: readonly KeyColumn[] = [
  { ref: 'updated', kind: 'string' },
  { ref: 'id', kind: 'string' },
];

/**
 * `WebhookOutbox` over the store's own Kysely connection, so SQLite keeps one writer and every statement here
 * is portable SQL. Leases are conditional updates re-checked on the row itself, which PostgreSQL re-evaluates
 * after a concurrent update commits: two dispatchers never both win the same lease.
 */
export class KyselyWebhookOutbox implements WebhookOutbox {
  private readonly db: Kysely<WebhookDatabase>;

  /**
   * @param deliveryId the stable delivery id of a conversation's event, also used to record replays.
   */
  constructor(
    db: Kysely<Database>,
    private readonly deliveryId: (conversationId: string, eventId: number) => string,
  ) {
    this.db = db.withTables<WebhookTables>();
  }

  async dueConversations(now: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('conversations as c')
      .innerJoin('applications as a', 'a.id', 'c.application_id')
      .leftJoin('webhook_cursors as w', 'w.conversation_id', 'c.id')
      .select('c.id')
      .where('a.event_url', 'is not', null)
      .where((eb) => eb('c.last_event_id', '>', eb.fn.coalesce('w.delivered_id', eb.lit(0))))
      .where((eb) => eb.or([eb('w.next_attempt', 'is', null), eb('w.next_attempt', '<=', now)]))
      .where((eb) => eb.or([eb('w.lease_until', 'is', null), eb('w.lease_until', '<=', now)]))
      .orderBy('c.updated')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  }

  /** One transaction, so that a claim costs one commit. */
  claim(
    conversationId: string,
    owner: string,
    now: string,
    until: string,
  ): Promise<WebhookCursor | undefined> {
    return this.db.transaction().execute(async (trx) => {
      // A conversation created after its application got an event URL starts at its first event.
      await trx
        .insertInto('webhook_cursors')
        .columns(['conversation_id'])
        .expression((eb) => eb.selectFrom('conversations').select('id').where('id', '=', conversationId))
        .onConflict((oc) => oc.column('conversation_id').doNothing())
        .execute();
      const row = await trx
        .updateTable('webhook_cursors')
        .set({ lease_owner: owner, lease_until: until })
        .where('conversation_id', '=', conversationId)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      const conversation = await trx
        .selectFrom('conversations')
        .select('application_id')
        .where('id', '=', conversationId)
        .executeTakeFirst();
      if (!conversation) return undefined;
      return {
        conversationId,
        applicationId: conversation.application_id,
        deliveredId: Number(row.delivered_id),
        attempts: Number(row.attempts),
        firstAttempt: row.first_attempt,
        nextAttempt: row.next_attempt,
        lastError: row.last_error,
      };
    });
  }

  async eventsAfter(conversationId: string, afterId: number, limit: number): Promise<EventRecord[]> {
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toEvent);
  }

  async target(applicationId: string): Promise<WebhookTarget | undefined> {
    const row = await this.db
      .selectFrom('applications')
      .select(['id', 'event_url', 'webhook_ephemeral'])
      .where('id', '=', applicationId)
      .executeTakeFirst();
    return row && toTarget(row);
  }

  async targetOfConversation(conversationId: string): Promise<WebhookTarget | undefined> {
    const row = await this.db
      .selectFrom('conversations as c')
      .innerJoin('applications as a', 'a.id', 'c.application_id')
      .select(['a.id', 'a.event_url', 'a.webhook_ephemeral'])
      .where('c.id', '=', conversationId)
      .executeTakeFirst();
    return row && toTarget(row);
  }

  settle(
    conversationId: string,
    owner: string,
    cursor: CursorUpdate,
    deliveries: readonly DeliveryRecord[],
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const saved = await trx
        .updateTable('webhook_cursors')
        .set({
          delivered_id: cursor.deliveredId,
          attempts: cursor.attempts,
          first_attempt: cursor.firstAttempt,
          next_attempt: cursor.nextAttempt,
          last_error: cursor.lastError,
          lease_owner: cursor.leaseUntil === null ? null : owner,
          lease_until: cursor.leaseUntil,
        })
        .where('conversation_id', '=', conversationId)
        .where('lease_owner', '=', owner)
        .returning('conversation_id')
        .executeTakeFirst();
      if (!saved) return false;
      for (const delivery of deliveries) await upsertDelivery(trx, toRow(delivery));
      return true;
    });
  }

  async prune(before: string): Promise<void> {
    await this.db
      .deleteFrom('webhook_deliveries')
      .where('status', '=', 'delivered')
      .where('updated', '<', before)
      .execute();
  }

  async releaseAll(owner?: string): Promise<void> {
    const released = { lease_owner: null, lease_until: null };
    await this.db
      .updateTable('webhook_cursors')
      .set(released)
      .where('lease_owner', owner === undefined ? 'is not' : '=', owner ?? null)
      .execute();
    await this.db
      .updateTable('webhook_deliveries')
      .set(released)
      .where('lease_owner', owner === undefined ? 'is not' : '=', owner ?? null)
      .execute();
  }

  async claimReplays(owner: string, now: string, until: string, limit: number): Promise<DeliveryRecord[]> {
    // The conditions are repeated outside the subquery so that they are re-checked on the row itself.
    const rows = await this.db
      .updateTable('webhook_deliveries')
      .set({ lease_owner: owner, lease_until: until })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('status', '=', 'queued')
          .where('next_attempt', '<=', now)
          .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<=', now)]))
          .orderBy('next_attempt')
          .limit(limit),
      )
      .where('status', '=', 'queued')
      .where('next_attempt', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
      .returningAll()
      .execute();
    return rows.map(toDelivery);
  }

  async settleReplay(owner: string, delivery: DeliveryRecord): Promise<boolean> {
    const row = toRow(delivery);
    const saved = await this.db
      .updateTable('webhook_deliveries')
      .set({
        status: row.status,
        attempts: row.attempts,
        last_status: row.last_status,
        last_error: row.last_error,
        first_attempt: row.first_attempt,
        next_attempt: row.next_attempt,
        lease_owner: null,
        lease_until: null,
        updated: row.updated,
      })
      .where('id', '=', delivery.id)
      .where('lease_owner', '=', owner)
      .returning('id')
      .executeTakeFirst();
    return saved !== undefined;
  }

  async replay(
    applicationId: string,
    selection: ReplaySelection,
    now: string,
    limit: number,
  ): Promise<number> {
    const requeue = {
      status: 'queued' as const,
      attempts: 0,
      first_attempt: null,
      next_attempt: now,
      last_error: null,
      last_status: null,
      lease_owner: null,
      lease_until: null,
      updated: now,
    };
    if ('failed' in selection) {
      const result = await this.db
        .updateTable('webhook_deliveries')
        .set(requeue)
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('webhook_deliveries')
            .select('id')
            .where('application_id', '=', applicationId)
            .where('status', '=', 'failed')
            .limit(limit),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    }
    // Only settled events: the ones past a cursor are still on their way in order.
    const events = await this.db
      .selectFrom('events as e')
      .innerJoin('conversations as c', 'c.id', 'e.conversation_id')
      .innerJoin('webhook_cursors as w', 'w.conversation_id', 'e.conversation_id')
      .select(['e.conversation_id', 'e.id', 'e.type'])
      .where('c.application_id', '=', applicationId)
      .where('e.timestamp', '>=', selection.from)
      .where('e.timestamp', '<=', selection.to)
      .where((eb) => eb('e.id', '<=', eb.ref('w.delivered_id')))
      .orderBy('e.timestamp')
      .limit(limit)
      .execute();
    await this.db.transaction().execute(async (trx) => {
      for (const event of events) {
        await upsertDelivery(trx, {
          ...requeue,
          id: this.deliveryId(event.conversation_id, Number(event.id)),
          application_id: applicationId,
          conversation_id: event.conversation_id,
          event_id: Number(event.id),
          event_type: event.type,
          created: now,
        });
      }
    });
    return events.length;
  }

  async listDeliveries(
    applicationId: string,
    page: PageQuery,
    filter?: { status?: DeliveryRecord['status'] | undefined },
  ): Promise<Page<DeliveryRecord>> {
    let query = this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('application_id', '=', applicationId);
    if (filter?.status !== undefined) query = query.where('status', '=', filter.status);
    return pageBy(query, page, BY_UPDATED, toDelivery);
  }

  updateApplication(applicationId: string, patch: ApplicationPatch): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('applications')
        .select('event_url')
        .where('id', '=', applicationId)
        .executeTakeFirst();
      if (!before) return false;
      const values: Updateable<ApplicationsTable> = {};
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.answerUrl !== undefined) values.answer_url = patch.answerUrl;
      if (patch.eventUrl !== undefined) values.event_url = patch.eventUrl;
      if (Object.keys(values).length > 0) {
        await trx.updateTable('applications').set(values).where('id', '=', applicationId).execute();
      }
      if (patch.ephemeral !== undefined) {
        await trx
          .updateTable('applications')
          .set({ webhook_ephemeral: patch.ephemeral ? 1 : 0 })
          .where('id', '=', applicationId)
          .execute();
      }
      const url = patch.eventUrl ?? null;
      if (url !== null && before.event_url === null) {
        // History from before the application had a receiver is not sent: cursors start at the newest event.
        await trx
          .insertInto('webhook_cursors')
          .columns(['conversation_id', 'delivered_id'])
          .expression((eb) =>
            eb
              .selectFrom('conversations')
              .select(['id', 'last_event_id'])
              .where('application_id', '=', applicationId),
          )
          .onConflict((oc) =>
            oc.column('conversation_id').doUpdateSet((eb) => ({
              delivered_id: eb.ref('excluded.delivered_id'),
              attempts: 0,
              first_attempt: null,
              next_attempt: null,
              last_error: null,
            })),
          )
          .execute();
      }
      return true;
    });
  }

  async backlog(): Promise<{ depth: number; oldest: string | null }> {
    const { rows } = await sql<{ depth: number | string | null; oldest: string | null }>`
      select sum(c.last_event_id - coalesce(w.delivered_id, 0)) as depth, min(e.timestamp) as oldest
      from conversations c
      join applications a on a.id = c.application_id
      left join webhook_cursors w on w.conversation_id = c.id
      left join events e on e.conversation_id = c.id and e.id = coalesce(w.delivered_id, 0) + 1
      where a.event_url is not null and c.last_event_id > coalesce(w.delivered_id, 0)`.execute(this.db);
    const row = rows[0];
    return { depth: Number(row?.depth ?? 0), oldest: row?.oldest ?? null };
  }
}
