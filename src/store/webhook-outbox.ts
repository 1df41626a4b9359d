import type { EventRecord, Page, PageQuery } from './records.js';
import type {
  ApplicationPatch,
  CursorUpdate,
  DeliveryRecord,
  ReplaySelection,
  WebhookCursor,
  WebhookTarget,
} from './webhook-records.js';

/**
 * Webhook delivery state beside the event log. The log is the outbox: every committed event of a conversation
 * whose application has an event URL is owed to it, in id order, from the conversation's cursor on. Leases
 * (owner + expiry) make each conversation's head, and each replay, the work of one dispatcher at a time.
 */
export interface WebhookOutbox {
  /** Conversations owed events whose cursor is neither leased nor waiting for a retry at `now`. */
  dueConversations(now: string, limit: number): Promise<string[]>;
  /** Takes the conversation's lease if it is free or expired; undefined when another dispatcher holds it. */
  claim(
    conversationId: string,
    owner: string,
    now: string,
    until: string,
  ): Promise<WebhookCursor | undefined>;
  /** Events after `afterId`, in id order. */
  eventsAfter(conversationId: string, afterId: number, limit: number): Promise<EventRecord[]>;
  /** Where the application's events go, if anywhere. */
  target(applicationId: string): Promise<WebhookTarget | undefined>;
  /** Where the events of the conversation's application go, if anywhere. */
  targetOfConversation(conversationId: string): Promise<WebhookTarget | undefined>;
  /**
   * Saves the cursor and the deliveries it settled together, while `owner` still holds the lease; false when
   * the lease was lost (expired and taken), and nothing is written then.
   */
  settle(
    conversationId: string,
    owner: string,
    cursor: CursorUpdate,
    deliveries: readonly DeliveryRecord[],
  ): Promise<boolean>;
  /** Deletes delivered (not failed) deliveries last updated before `before`. */
  prune(before: string): Promise<void>;
  /**
   * Gives up every lease `owner` holds (on shutdown), so others need not wait for them to expire; without an
   * owner, every lease (a single node starting, whose predecessor died holding them).
   */
  releaseAll(owner?: string): Promise<void>;

  /** Queued replays due at `now`, leased to `owner` until `until`. */
  claimReplays(owner: string, now: string, until: string, limit: number): Promise<DeliveryRecord[]>;
  /** Saves a replay attempt while `owner` holds it; the lease is given up. */
  settleReplay(owner: string, delivery: DeliveryRecord): Promise<boolean>;
  /** Queues settled deliveries (failed ones, or all in a time range) to be sent again; returns how many. */
  replay(applicationId: string, selection: ReplaySelection, now: string, limit: number): Promise<number>;

  /** The application's deliveries, most recently updated first. */
  listDeliveries(
    applicationId: string,
    page: PageQuery,
    filter?: { status?: DeliveryRecord['status'] | undefined },
  ): Promise<Page<DeliveryRecord>>;
  /**
   * Changes the application's name and webhook URLs (absent fields stay); false when there is no such
   * application. Giving an event URL to an application without one skips the history already written.
   */
  updateApplication(applicationId: string, patch: ApplicationPatch): Promise<boolean>;
  /** Undelivered events owed to receivers, and the commit time of the oldest of them. */
  backlog(): Promise<{ depth: number; oldest: string | null }>;
}
