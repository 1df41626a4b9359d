import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { DeliveryRecord, WebhookTarget } from '../webhook-records.js';
import type { WebhookDeliveriesTable, WebhookTables } from './webhook-tables.js';

export type WebhookDatabase = Database & WebhookTables;

/** Inserts a delivery, or brings an existing one (same event, same id) up to date. */
export async function upsertDelivery(
  db: Kysely<WebhookDatabase>,
  row: WebhookDeliveriesTable,
): Promise<void> {
  const changes = {
    status: row.status,
    attempts: row.attempts,
    last_status: row.last_status,
    last_error: row.last_error,
    first_attempt: row.first_attempt,
    next_attempt: row.next_attempt,
    lease_owner: row.lease_owner,
    lease_until: row.lease_until,
    updated: row.updated,
  };
  await db
    .insertInto('webhook_deliveries')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(changes))
    .execute();
}

export function toTarget(row: {
  id: string;
  event_url: string | null;
  webhook_ephemeral: number;
}): WebhookTarget | undefined {
  if (!row.event_url) return undefined;
  return { applicationId: row.id, url: row.event_url, ephemeral: Number(row.webhook_ephemeral) === 1 };
}

export function toRow(delivery: DeliveryRecord): WebhookDeliveriesTable {
  return {
    id: delivery.id,
    application_id: delivery.applicationId,
    conversation_id: delivery.conversationId,
    event_id: delivery.eventId,
    event_type: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    last_status: delivery.lastStatus,
    last_error: delivery.lastError,
    first_attempt: delivery.firstAttempt,
    next_attempt: delivery.nextAttempt,
    lease_owner: null,
    lease_until: null,
    created: delivery.created,
    updated: delivery.updated,
  };
}

export function toDelivery(row: WebhookDeliveriesTable): DeliveryRecord {
  return {
    id: row.id,
    applicationId: row.application_id,
    conversationId: row.conversation_id,
    eventId: Number(row.event_id),
    eventType: row.event_type,
    status: row.status,
    attempts: Number(row.attempts),
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: row.last_error,
    firstAttempt: row.first_attempt,
    nextAttempt: row.next_attempt,
    created: row.created,
    updated: row.updated,
  };
}
