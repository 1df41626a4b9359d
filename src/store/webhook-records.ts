/** Webhook state as the dispatcher and the operations API see it. Times are ISO-8601 UTC strings. */

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'queued';

/** Where an application's events go; only applications with an event URL have one. */
export interface WebhookTarget {
  applicationId: string;
  url: string;
  /** Whether the application also wants ephemeral events (typing, delivery receipts). */
  ephemeral: boolean;
}

/** A conversation's delivery position, held under a lease by one dispatcher at a time. */
export interface WebhookCursor {
  conversationId: string;
  applicationId: string;
  /** Events 1..deliveredId are settled (delivered or given up). */
  deliveredId: number;
  /** Failed attempts at the head event (deliveredId + 1). */
  attempts: number;
  firstAttempt: string | null;
  nextAttempt: string | null;
  lastError: string | null;
}

/** One event's delivery to its application, as recorded after each attempt. */
export interface DeliveryRecord {
  id: string;
  applicationId: string;
  conversationId: string;
  eventId: number;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  /** HTTP status of the last attempt, when the receiver answered. */
  lastStatus: number | null;
  lastError: string | null;
  firstAttempt: string | null;
  nextAttempt: string | null;
  created: string;
  updated: string;
}

/** What the dispatcher writes after an attempt at the head event of a leased conversation. */
export interface CursorUpdate {
  deliveredId: number;
  attempts: number;
  firstAttempt: string | null;
  nextAttempt: string | null;
  lastError: string | null;
  /** The lease is extended to this time, or given up with null. */
  leaseUntil: string | null;
}

/** Which settled deliveries a replay sends again. */
export type ReplaySelection = { failed: true } | { from: string; to: string };

/** What `PUT /v2/applications/:id` may change. */
export interface ApplicationPatch {
  name?: string | undefined;
  answerUrl?: string | null | undefined;
  eventUrl?: string | null | undefined;
  /** Also send ephemeral events (typing, delivery receipts), which are not stored and not retried. */
  ephemeral?: boolean | undefined;
}
