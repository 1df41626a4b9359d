/** Rows as the domain sees them; every store backend returns exactly these shapes. Times are ISO-8601 UTC strings. */

export interface ApplicationRecord {
  id: string;
  name: string;
  publicKey: string;
  answerUrl: string | null;
  eventUrl: string | null;
  type: 'rtc';
  created: string;
}

export interface UserRecord {
  id: string;
  applicationId: string;
  name: string;
  displayName: string | null;
  imageUrl: string | null;
  customData: Record<string, unknown>;
  /** Channels (pstn, sip, websocket, ...) as the Vonage API takes them; stored and returned verbatim. */
  channels: Record<string, unknown>;
  created: string;
}

export type ConversationState = 'ACTIVE' | 'INACTIVE' | 'DELETED';

/** `open`: any user of the application who knows the id may read and join; `invite`: only invited users. */
export type JoinPolicy = 'open' | 'invite';
export const JOIN_POLICIES: readonly JoinPolicy[] = ['open', 'invite'];

export interface ConversationRecord {
  id: string;
  applicationId: string;
  name: string | null;
  displayName: string | null;
  imageUrl: string | null;
  state: ConversationState;
  joinPolicy: JoinPolicy;
  customData: Record<string, unknown>;
  /** The id of the newest event: events are numbered 1..lastEventId with no gaps. */
  lastEventId: number;
  /** Seconds the conversation is kept after its last activity, as given; Parley does not expire it. */
  ttl: number | null;
  /** Vonage's `properties.type` and `properties.custom_sort_key`: free text, stored and returned as given. */
  type: string | null;
  customSortKey: string | null;
  /** Numbers linked to the conversation (Vonage voice), stored and returned verbatim. */
  numbers: unknown[] | null;
  /** Where Vonage would call back (`{url, event_mask, params, method}`), stored and returned verbatim. */
  callback: Record<string, unknown> | null;
  /** The user who created it, or null when the application did. */
  createdBy: string | null;
  created: string;
  updated: string;
}

export type MemberState = 'INVITED' | 'JOINED' | 'LEFT';

export interface MemberTimestamps {
  invited?: string;
  joined?: string;
  left?: string;
}

/** `owner`: the creator; owners and moderators may remove, ban and mute others and delete their messages. */
export type MemberRole = 'owner' | 'moderator' | 'member';

export interface MemberRecord {
  id: string;
  conversationId: string;
  userId: string;
  state: MemberState;
  role: MemberRole;
  /** A muted member's sends are refused (`conversation:error:muted`) and their typing is not relayed. */
  muted: boolean;
  timestamps: MemberTimestamps;
  channel: { type: string } & Record<string, unknown>;
  /** The user name of whoever invited this member, when someone did. */
  invitedBy: string | null;
  created: string;
}

/** A member's read pointers (0 when nothing yet) and unread count; only JOINED members have unread messages. */
export interface ReadState {
  lastDeliveredEventId: number;
  lastSeenEventId: number;
  /** Messages (`MESSAGE_TYPES`) from others after the last seen one, since the latest join, not deleted. */
  unreadCount: number;
}

export interface BanRecord {
  conversationId: string;
  userId: string;
  reason: string | null;
  created: string;
}

/** A member's read pointers with when they last moved, for marking messages seen or delivered in listings. */
export interface ReadPointer {
  memberId: string;
  lastDeliveredEventId: number;
  lastDeliveredAt: string | null;
  lastSeenEventId: number;
  lastSeenAt: string | null;
}

export interface EventRecord {
  conversationId: string;
  id: number;
  type: string;
  /** Member id of the sender; null for system events. */
  from: string | null;
  body: Record<string, unknown>;
  timestamp: string;
  /** When the event was deleted; its body is then empty. */
  deleted: string | null;
  /** Client reference that makes a send idempotent, unique per conversation and sender. */
  clientRef: string | null;
}

export interface NewEvent {
  type: string;
  from: string | null;
  body: Record<string, unknown>;
  clientRef?: string | null;
}

/**
 * Appends only while this user's member is JOINED in the conversation: a membership known from session state
 * is checked in the same transaction as the append, instead of read before it.
 */
export interface AppendGuard {
  memberId: string;
  userId: string;
}

export type Order = 'asc' | 'desc';

/** Keyset pagination: `after` is the opaque position the previous page ended at. */
export interface PageQuery {
  limit: number;
  order: Order;
  after?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** Position after the last item, present only when more items follow. */
  next?: string;
}
