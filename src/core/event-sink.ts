import type { EventRecord, MemberState } from '../store/records.js';

/**
 * A member's state changed, stated as data so that nobody downstream reads it out of an event body. `event`
 * is the `member:*` event that announced the change (published on its own as well).
 */
export interface MembershipChange {
  cid: string;
  userId: string;
  memberId: string;
  state: MemberState;
  event: EventRecord;
}

/** Receives changes after they are committed, in id order per conversation; realtime delivery hangs off this. */
export interface EventSink {
  publish(conversationId: string, events: readonly EventRecord[]): void;
  /**
   * Said before the announcing event is published, so a node can subscribe a member who joined before the
   * event reaches it; a node applies a change when that event's turn comes.
   */
  membershipChanged(change: MembershipChange): void;
  /** The conversation and its history are gone. */
  conversationDeleted(conversationId: string): void;
}

export const nullSink: EventSink = {
  publish: () => undefined,
  membershipChanged: () => undefined,
  conversationDeleted: () => undefined,
};
