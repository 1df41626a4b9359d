import type { DeliveryStatus } from '../webhook-records.js';

/** The tables of migration 0002, added to the store's schema with `Kysely.withTables`. */
// A type alias, not an interface: `withTables` needs the implicit index signature.
export type WebhookTables = {
  applications: { webhook_ephemeral: number };
  webhook_cursors: WebhookCursorsTable;
  webhook_deliveries: WebhookDeliveriesTable;
};

export interface WebhookCursorsTable {
  conversation_id: string;
  delivered_id: number;
  attempts: number;
  first_attempt: string | null;
  next_attempt: string | null;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: string | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  application_id: string;
  conversation_id: string;
  event_id: number;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  first_attempt: string | null;
  next_attempt: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  created: string;
  updated: string;
}
