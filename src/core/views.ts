import type { EventRecord, MemberRecord, UserRecord } from '../store/records.js';

/** A member together with its user, which every wire shape of a member embeds. */
export interface MemberView {
  member: MemberRecord;
  user: UserRecord;
}

/** An event with the user behind its `from` member, when there is one. */
export interface EventView {
  event: EventRecord;
  fromUser: UserRecord | null;
  /** For a message in a listing: who has seen it and had it delivered, by member id, with when (Stitch's state). */
  receipts?: Receipts;
}

/**
 * Member id to time. The time is when the member's pointer last moved past the message, so at or after the
 * moment they saw it.
 */
export interface Receipts {
  seenBy: Record<string, string>;
  deliveredTo: Record<string, string>;
}
