import { connectionOf } from '../kysely/kysely-store.js';
import type { Store } from '../store.js';
import { KyselyWebhookOutbox } from './kysely-webhook-outbox.js';
import type { WebhookOutbox } from '../webhook-outbox.js';

/** The webhook outbox over the same connection as `store`, which must be one of Parley's SQL stores. */
export function openWebhookOutbox(
  store: Store,
  deliveryId: (conversationId: string, eventId: number) => string,
): WebhookOutbox {
  const db = connectionOf(store);
  if (!db) throw new Error('Webhooks need an SQL store');
  return new KyselyWebhookOutbox(db, deliveryId);
}
