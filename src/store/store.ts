import type { MediaCatalog } from './media/media-catalog.js';
import type {
  AppendGuard,
  ApplicationRecord,
  ConversationRecord,
  EventRecord,
  BanRecord,
  MemberRecord,
  MemberRole,
  MemberState,
  MemberTimestamps,
  NewEvent,
  Page,
  PageQuery,
  ReadPointer,
  ReadState,
  UserRecord,
} from './records.js';

export interface UserPatch {
  name?: string;
  displayName?: string | null;
  imageUrl?: string | null;
  customData?: Record<string, unknown>;
  channels?: Record<string, unknown>;
}

export interface ConversationPatch {
  name?: string | null;
  displayName?: string | null;
  imageUrl?: string | null;
  state?: ConversationRecord['state'];
  joinPolicy?: ConversationRecord['joinPolicy'];
  customData?: Record<string, unknown>;
  ttl?: number | null;
  type?: string | null;
  customSortKey?: string | null;
  numbers?: unknown[] | null;
  callback?: Record<string, unknown> | null;
  updated: string;
}

export interface MemberPatch {
  state?: MemberState;
  timestamps?: MemberTimestamps;
  role?: MemberRole;
  muted?: boolean;
  invitedBy?: string | null;
}

export interface EventQuery extends PageQuery {
  startId?: number | undefined;
  endId?: number | undefined;
  type?: string | undefined;
  excludeDeleted?: boolean | undefined;
  /** Inclusive bounds on the event timestamp (ISO-8601 UTC). */
  dateStart?: string | undefined;
  dateEnd?: string | undefined;
}

/** A conversation seen from one of its members. */
export interface Membership {
  conversation: ConversationRecord;
  member: MemberRecord;
  readState: ReadState;
}

/**
 * The one persistence interface. Lookups by id are global (ids are UUID-based); the domain checks that what
 * it found belongs to the caller's application. Uniqueness violations throw the catalogue's conflict errors,
 * and malformed cursors throw `http:error:validation-fail`.
 */
export interface Store extends MediaCatalog {
  /** Runs `fn` in one transaction; nested calls join the outer one. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;

  getSetting(key: string): Promise<string | undefined>;
  putSetting(key: string, value: string): Promise<void>;

  createApplication(app: ApplicationRecord): Promise<ApplicationRecord>;
  getApplication(id: string): Promise<ApplicationRecord | undefined>;
  listApplications(page: PageQuery): Promise<Page<ApplicationRecord>>;
  /** Deletes the application with everything in it. */
  deleteApplication(id: string): Promise<boolean>;

  createUser(user: UserRecord): Promise<UserRecord>;
  getUser(id: string): Promise<UserRecord | undefined>;
  getUserByName(applicationId: string, name: string): Promise<UserRecord | undefined>;
  listUsers(
    applicationId: string,
    page: PageQuery,
    filter?: { name?: string | undefined },
  ): Promise<Page<UserRecord>>;
  updateUser(id: string, patch: UserPatch): Promise<UserRecord | undefined>;
  deleteUser(id: string): Promise<boolean>;

  createConversation(conversation: ConversationRecord): Promise<ConversationRecord>;
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  listConversations(applicationId: string, page: PageQuery): Promise<Page<ConversationRecord>>;
  /** The user's conversations with their member in each, newest membership first when `order` is desc. */
  listUserConversations(
    userId: string,
    page: PageQuery,
    filter?: { states?: MemberState[] | undefined },
  ): Promise<Page<Membership>>;
  updateConversation(id: string, patch: ConversationPatch): Promise<ConversationRecord | undefined>;
  /** Deletes the conversation with its members and events. */
  deleteConversation(id: string): Promise<boolean>;

  createMember(member: MemberRecord): Promise<MemberRecord>;
  getMember(id: string): Promise<MemberRecord | undefined>;
  getMemberByUser(conversationId: string, userId: string): Promise<MemberRecord | undefined>;
  listMembers(conversationId: string, page: PageQuery): Promise<Page<MemberRecord>>;
  /** Every member of the conversation in the given states, unpaginated (for fan-out and `conversation:get`). */
  membersInStates(conversationId: string, states: MemberState[]): Promise<MemberRecord[]>;
  updateMember(id: string, patch: MemberPatch): Promise<MemberRecord | undefined>;
  /** Bans the user from the conversation (replacing an earlier ban's reason); joining is then refused. */
  putBan(ban: BanRecord): Promise<BanRecord>;
  getBan(conversationId: string, userId: string): Promise<BanRecord | undefined>;
  deleteBan(conversationId: string, userId: string): Promise<boolean>;
  /** Every member's read pointers in the conversation (members who have had something delivered only). */
  readPointers(conversationId: string): Promise<ReadPointer[]>;
  /** The member's read pointers and unread count, read from counters kept in each commit (no history scan). */
  getReadState(memberId: string): Promise<ReadState | undefined>;

  /**
   * Appends events with the next contiguous ids of the conversation, atomically. An event whose `clientRef`
   * was already used by the same sender in this conversation is not stored again: the original is returned.
   * With a `guard` nothing is appended unless its member is JOINED (`conversation:error:not-member`).
   * Receipts (`RECEIPT_TYPES`) from a member move that member's read pointers forward in the same commit,
   * and messages keep the unread counters (see `kysely/read-state.ts`).
   * Refusals (`ParleyError`s) are raised before anything is written, so a transaction may go on after one.
   */
  appendEvents(
    conversationId: string,
    events: NewEvent[],
    timestamp: string,
    guard?: AppendGuard,
  ): Promise<EventRecord[]>;
  getEvent(conversationId: string, id: number): Promise<EventRecord | undefined>;
  listEvents(conversationId: string, query: EventQuery): Promise<Page<EventRecord>>;
  /** Marks the event deleted and empties its body; a deleted message stops counting as unread. */
  markEventDeleted(conversationId: string, id: number, at: string): Promise<EventRecord | undefined>;

  /*
   * Import (`parley import`, core/import-service.ts): objects are written exactly as a dump gives them, ids and
   * timestamps included, where every other write mints them. Lookups take many ids at once, so a batch of a
   * dump costs a few statements; ids not found are simply missing from the result.
   */
  findUsers(ids: readonly string[]): Promise<UserRecord[]>;
  findConversations(ids: readonly string[]): Promise<ConversationRecord[]>;
  findMembers(ids: readonly string[]): Promise<MemberRecord[]>;
  /** The conversation's events with these ids, in id order. */
  findEvents(conversationId: string, ids: readonly number[]): Promise<EventRecord[]>;
  /**
   * Inserts the user, or replaces the one with its id; false (and nothing written) when that id belongs to
   * another application. A name taken by another user throws `user:error:duplicate-name`.
   */
  putUser(user: UserRecord): Promise<boolean>;
  /**
   * As `putUser`, for conversations (`conversation:error:duplicate-name`). A replacement keeps the larger of
   * the stored and the given `lastEventId`, so events already stored keep their ids.
   */
  putConversation(conversation: ConversationRecord): Promise<boolean>;
  /**
   * As `putUser`, for members: false when the id belongs to a member of another conversation; another member
   * of the same user in the conversation throws `member:error:already-member`.
   */
  putMember(member: MemberRecord): Promise<boolean>;
  /**
   * Stores events under their own ids, replacing any stored with the same id, and raises the conversation's
   * counter to the highest, so the next append follows it. Ids may leave gaps. A clientRef its sender already
   * used for another event throws `http:error:validation-fail`; inside a caller's transaction the events
   * before the clash may stay written (writing them again changes nothing), which the transaction can go on
   * after, as after the other conflicts.
   */
  putEvents(conversationId: string, events: readonly EventRecord[]): Promise<void>;
}
