import type {
  PushedEvent,
  RealtimeConversation,
  RealtimeMember,
  RequestType,
  SessionBody,
} from './realtime.js';

/**
 * The realtime wire, described once: for every request type, the fields a client sends beside `type` and
 * `tid`, and the `body` of the success reply. The server's handler table and the SDK are checked against it.
 */

/** `conversation:events` body: a range of ids, newest page first unless `start_id` is given. */
export interface HistoryQuery {
  start_id?: number;
  end_id?: number;
  /** At most 1000. */
  page_size?: number;
  /** `desc` picks the newest page; pages always come back oldest first. */
  order?: 'asc' | 'desc';
}

/** `user:get` reply. */
export interface RealtimeUser {
  id: string;
  name: string;
  display_name: string | null;
  image_url: string | null;
}

/** The reply to a request that stores an event. */
export interface StoredEventReply {
  id: number;
  timestamp: string;
}

/** A reply with nothing to say beyond success. */
export type EmptyReply = Record<string, never>;

/** Names the sender's own member; the server refuses any other (`event:error:invalid-from`). */
interface InConversation {
  cid: string;
  from?: string;
}

export interface RealtimeApi {
  'session:login': { request: { body: { token: string } }; reply: SessionBody };
  'session:logout': { request: { body?: Record<string, never> }; reply: EmptyReply };
  'session:update-token': { request: { body: { token: string } }; reply: EmptyReply };
  'user:get': { request: { body: { user_id: string } }; reply: RealtimeUser };
  'user:conversations': { request: { body?: Record<string, never> }; reply: RealtimeConversation[] };
  'conversation:get': { request: { cid: string; body?: Record<string, never> }; reply: RealtimeConversation };
  'conversation:events': { request: { cid: string; body?: HistoryQuery }; reply: PushedEvent[] };
  'new:conversation': {
    request: { body?: { name?: string; display_name?: string } };
    reply: RealtimeConversation;
  };
  /** Joins the caller (the body names nobody else: a user may not join others). */
  'conversation:join': {
    request: { cid: string; body?: { user_id?: string; user_name?: string } };
    reply: RealtimeMember;
  };
  'conversation:invite': {
    request: { cid: string; body: { user_id?: string; user_name?: string } };
    reply: RealtimeMember;
  };
  'conversation:delete': { request: { cid: string; body?: Record<string, never> }; reply: EmptyReply };
  /** Names the member in `body.member_id` or `to`; a `from` (the caller's own member) is accepted and unused. */
  'conversation:member:delete': {
    request: { cid: string; from?: string; to?: string; body?: { member_id?: string } };
    reply: RealtimeMember;
  };
  /** `client_ref` makes the send idempotent: a retry with the same reference returns the original event. */
  text: {
    request: InConversation & { body: { text: string }; client_ref?: string };
    reply: StoredEventReply;
  };
  /** `activity` (1 on, 0 off) is what nexmo-stitch sends; the server derives it from the type. */
  'text:typing:on': { request: InConversation & { body?: { activity?: 0 | 1 } }; reply: EmptyReply };
  'text:typing:off': { request: InConversation & { body?: { activity?: 0 | 1 } }; reply: EmptyReply };
  'text:delivered': { request: InConversation & { body: { event_id: number } }; reply: EmptyReply };
  'text:seen': { request: InConversation & { body: { event_id: number } }; reply: StoredEventReply };
  /** Stitch `sendImage`: `representations` is the `POST /v1/image` reply; only the sender's uploads. */
  image: {
    request: InConversation & { body: { representations: Record<string, unknown> }; client_ref?: string };
    reply: StoredEventReply;
  };
  'image:delivered': { request: InConversation & { body: { event_id: number } }; reply: EmptyReply };
  'image:seen': { request: InConversation & { body: { event_id: number } }; reply: StoredEventReply };
  'event:delete': { request: InConversation & { body: { event_id: number } }; reply: EmptyReply };
  ping: { request: { body?: Record<string, never> }; reply: EmptyReply };
}

/** A complete request of type `K`, as it goes on the wire. */
export type RequestOf<K extends RequestType> = { type: K; tid: string } & RealtimeApi[K]['request'];

/** The `body` of the success reply to a request of type `K`. */
export type ReplyOf<K extends RequestType> = RealtimeApi[K]['reply'];
