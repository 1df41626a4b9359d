/**
 * The realtime vocabulary, shared by both transports: the Stitch socket.io protocol at `/rtc` (the event name
 * is the socket.io event, the rest is the payload) and the native WebSocket at `/ws` (one JSON object per
 * frame, with `type` inside). Requests carry a client-chosen `tid`; the server answers each exactly once with
 * `rid` = that `tid` and `type` either `<request type>:success` (or the special success types below) or an
 * error code from the catalogue (`<domain>:error:<reason>`).
 */

export const REQUEST_TYPES = [
  'session:login',
  'session:logout',
  'session:update-token',
  'user:get',
  'user:conversations',
  'conversation:get',
  'conversation:events',
  'new:conversation',
  'conversation:join',
  'conversation:invite',
  'conversation:delete',
  'conversation:member:delete',
  'text',
  'text:typing:on',
  'text:typing:off',
  'text:delivered',
  'text:seen',
  /** Stitch `sendImage`: the body is the `POST /v1/image` reply as `representations`. */
  'image',
  'image:delivered',
  'image:seen',
  'event:delete',
  /** A liveness check: the native SDK pings an idle connection to notice a server that vanished. */
  'ping',
] as const;

export type RequestType = (typeof REQUEST_TYPES)[number];

/** Success reply types that are not simply `<request>:success`. */
export const SUCCESS_TYPE: Record<RequestType, string> = {
  ...(Object.fromEntries(REQUEST_TYPES.map((t) => [t, `${t}:success`])) as Record<RequestType, string>),
  'session:login': 'session:success',
  'session:logout': 'session:logged-out',
};

/** What a client sends, as the envelope check leaves it; `RealtimeApi` types the fields of each request. */
export interface RealtimeRequest {
  type: RequestType;
  tid: string;
  cid?: string;
  from?: string;
  to?: string;
  body?: Record<string, unknown>;
  /** Makes a `text` send idempotent: a retry with the same reference returns the original event. */
  client_ref?: string;
}

/** Events pushed by the server. Persisted events have a numeric `id`; typing and delivery are ephemeral. */
export interface PushedEvent {
  type: string;
  cid: string;
  id?: number;
  from: string | null;
  timestamp: string;
  body: Record<string, unknown>;
  state?: Record<string, unknown>;
  _embedded?: { from_user?: { id: string; name: string; display_name: string | null } };
}

/** `session:success` body. */
export interface SessionBody {
  id: string;
  user_id: string;
  name: string;
  display_name: string | null;
}

/** A member as `conversation:get`, `conversation:join` and `conversation:invite` describe it. */
export interface RealtimeMember {
  member_id: string;
  user_id: string;
  name: string;
  display_name: string | null;
  state: 'INVITED' | 'JOINED' | 'LEFT';
  timestamp: { invited?: string; joined?: string; left?: string };
  channel: { type: string };
  invited_by?: string;
  /** Whether the user has at least one live session on the server. */
  online?: boolean;
}

export interface RealtimeConversation {
  id: string;
  name: string | null;
  display_name: string | null;
  timestamp: { created: string; updated: string };
  sequence_number: number;
  /** The caller's own member, when they have one. */
  member_id?: string;
  state?: 'INVITED' | 'JOINED' | 'LEFT';
  members?: RealtimeMember[];
}

/**
 * One user's change in a `presence:update` (native transport only), pushed to a conversation's joined members
 * when one of them gets a first session or loses their last: `{cid, from: <member id>, body: {user_id,
 * online}}` for one change, or `{cid, from: null, body: {users: [PresenceChange, ...]}}` for several.
 */
export interface PresenceChange {
  user_id: string;
  member_id: string;
  online: boolean;
}

/** Unsolicited notices; they carry the session's conversations' first `cid` or none. */
export const NOTICE_TYPES = {
  expiredToken: 'system:error:expired-token',
  /** The server is shutting down: reconnect (to another node). */
  reconnect: 'session:reconnect',
  terminated: 'session:terminated',
} as const;

/** Native transport path and close codes. */
export const NATIVE_PATH = '/ws';
export const STITCH_PATH = '/rtc';
/** The successor SDKs' socket.io path (`nexmo-client` 9, `@vonage/client-sdk` 2). */
export const V2_PATH = '/v2/rtc';
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  /** Server shutdown or restart: reconnect with backoff. */
  restart: 1012,
  /** The client stopped reading and its buffer overflowed. */
  slowConsumer: 4008,
  /** Token expired or logged out: do not reconnect without a new token. */
  unauthorized: 4001,
} as const;
