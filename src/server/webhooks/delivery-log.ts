import { deliveryId } from '../../core/webhooks/delivery-id.js';
import type { EventRecord } from '../../store/records.js';
import type { DeliveryRecord, WebhookTarget } from '../../store/webhook-records.js';
import type { Attempt } from './webhook-sender.js';

/** The delivery row an attempt leaves: delivered, or pending until the caller decides on a retry. */
export function deliveryRecord(
  target: WebhookTarget,
  event: EventRecord,
  attempts: number,
  firstAttempt: string,
  attempt: Attempt,
  now: string,
): DeliveryRecord {
  return {
    id: deliveryId(event.conversationId, event.id),
    applicationId: target.applicationId,
    conversationId: event.conversationId,
    eventId: event.id,
    eventType: event.type,
    status: attempt.ok ? 'delivered' : 'pending',
    attempts,
    lastStatus: attempt.status,
    lastError: attempt.ok ? null : attempt.error,
    firstAttempt,
    nextAttempt: null,
    created: now,
    updated: now,
  };
}

/** What a failure log line may say: ids, status and error, never the body, URL or signature. */
export const failureLog = (record: DeliveryRecord) => ({
  conversation: record.conversationId,
  event: record.eventId,
  delivery: record.id,
  attempts: record.attempts,
  status: record.lastStatus,
  error: record.lastError,
});

export const iso = (ms: number): string => new Date(ms).toISOString();
