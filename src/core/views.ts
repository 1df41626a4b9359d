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
}
