import type { PushedEvent, RequestType } from '../protocol/realtime.js';
import type { EmptyReply, RealtimeApi, ReplyOf } from '../protocol/realtime-api.js';
import { ClientErrorCode } from './codes.js';
import { ParleyClientError } from './errors.js';

/**
 * Narrowing of what the server sends: validated once here, typed everywhere else. The types come from the
 * protocol's `RealtimeApi`; the checks stay because a reply is data from the network, not a promise kept.
 */

/** A request of type `K` as the SDK builds it; the request queue adds a fresh `tid` to each transmission. */
export type OutgoingRequest<K extends RequestType = RequestType> = { type: K } & RealtimeApi[K]['request'];

type RealtimeMember = ReplyOf<'conversation:join'>;
type RealtimeConversation = ReplyOf<'conversation:get'>;

export type MemberState = RealtimeMember['state'];
export type MemberTimestamps = RealtimeMember['timestamp'];

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const strOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const MEMBER_STATES: readonly string[] = ['INVITED', 'JOINED', 'LEFT'];
const isMemberState = (value: unknown): value is MemberState =>
  typeof value === 'string' && MEMBER_STATES.includes(value);

const bad = (what: string): ParleyClientError =>
  new ParleyClientError(ClientErrorCode.badReply, `The server sent an unreadable ${what}`);

export function memberTimestamps(value: unknown): MemberTimestamps {
  const out: MemberTimestamps = {};
  if (!isRecord(value)) return out;
  for (const key of ['invited', 'joined', 'left'] as const) {
    const stamp = str(value[key]);
    if (stamp !== undefined) out[key] = stamp;
  }
  return out;
}

/** A number, or a numeric string as nexmo-stitch also accepts for `event_id`. */
export function eventId(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number.parseInt(value, 10) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}

export function parsePushedEvent(value: unknown): PushedEvent | undefined {
  if (!isRecord(value)) return undefined;
  const { type, cid } = value;
  if (typeof type !== 'string' || typeof cid !== 'string') return undefined;
  const event: PushedEvent = {
    type,
    cid,
    from: strOrNull(value.from),
    timestamp: str(value.timestamp) ?? '',
    body: isRecord(value.body) ? value.body : {},
  };
  const id = eventId(value.id);
  if (id !== undefined) event.id = id;
  if (isRecord(value.state)) event.state = value.state;
  const embedded = value._embedded;
  if (isRecord(embedded) && isRecord(embedded.from_user)) {
    const u = embedded.from_user;
    if (typeof u.id === 'string' && typeof u.name === 'string') {
      event._embedded = { from_user: { id: u.id, name: u.name, display_name: strOrNull(u.display_name) } };
    }
  }
  return event;
}

/** `conversation:events` answers an array; nexmo-stitch also read an object keyed by id. */
export function parseEvents(body: unknown, cid: string): ReplyOf<'conversation:events'> {
  const items = Array.isArray(body) ? body : isRecord(body) ? Object.values(body) : undefined;
  if (!items) throw bad('event list');
  const events: PushedEvent[] = [];
  for (const item of items) {
    const event = parsePushedEvent(isRecord(item) && item.cid === undefined ? { ...item, cid } : item);
    if (event?.id !== undefined) events.push(event);
  }
  return events.sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
}

export function parseMember(value: unknown): RealtimeMember {
  if (!isRecord(value)) throw bad('member');
  const memberId = str(value.member_id) ?? str(value.id);
  const userId = str(value.user_id);
  if (memberId === undefined || userId === undefined || !isMemberState(value.state)) throw bad('member');
  const member: RealtimeMember = {
    member_id: memberId,
    user_id: userId,
    name: str(value.name) ?? '',
    display_name: strOrNull(value.display_name),
    state: value.state,
    timestamp: memberTimestamps(value.timestamp),
    channel:
      isRecord(value.channel) && typeof value.channel.type === 'string'
        ? { type: value.channel.type }
        : { type: 'app' },
  };
  const invitedBy = str(value.invited_by);
  if (invitedBy !== undefined) member.invited_by = invitedBy;
  if (typeof value.online === 'boolean') member.online = value.online;
  return member;
}

export function parseConversation(value: unknown): RealtimeConversation {
  if (!isRecord(value) || typeof value.id !== 'string') throw bad('conversation');
  const stamps = isRecord(value.timestamp) ? value.timestamp : {};
  const conversation: RealtimeConversation = {
    id: value.id,
    name: strOrNull(value.name),
    display_name: strOrNull(value.display_name),
    timestamp: { created: str(stamps.created) ?? '', updated: str(stamps.updated) ?? '' },
    sequence_number: eventId(value.sequence_number) ?? 0,
  };
  const memberId = str(value.member_id);
  if (memberId !== undefined && isMemberState(value.state)) {
    conversation.member_id = memberId;
    conversation.state = value.state;
  }
  if (Array.isArray(value.members)) conversation.members = value.members.map(parseMember);
  return conversation;
}

export function parseConversationList(value: unknown): ReplyOf<'user:conversations'> {
  if (!Array.isArray(value)) throw bad('conversation list');
  return value.map(parseConversation);
}

export function parseSession(value: unknown): ReplyOf<'session:login'> {
  if (!isRecord(value) || typeof value.user_id !== 'string') throw bad('session');
  return {
    id: str(value.id) ?? '',
    user_id: value.user_id,
    name: str(value.name) ?? '',
    display_name: strOrNull(value.display_name),
  };
}

/** The `{id, timestamp}` a persisted send is acknowledged with. */
export function parseAck(value: unknown): ReplyOf<'text'> {
  const id = isRecord(value) ? eventId(value.id) : undefined;
  if (!isRecord(value) || id === undefined) throw bad('acknowledgement');
  return { id, timestamp: str(value.timestamp) ?? '' };
}

export interface User {
  id: string;
  name: string;
  display_name: string | null;
}

export function parseUser(value: unknown): ReplyOf<'user:get'> {
  if (!isRecord(value) || typeof value.id !== 'string') throw bad('user');
  return {
    id: value.id,
    name: str(value.name) ?? '',
    display_name: strOrNull(value.display_name),
    image_url: strOrNull(value.image_url),
  };
}

/** Replies that carry nothing the SDK reads: whatever the body, success is all they say. */
const empty = (): EmptyReply => ({});

type ReplyParsers = { [K in RequestType]: (body: unknown, request: OutgoingRequest<K>) => ReplyOf<K> };

/**
 * How the body of each request's success reply is checked; keyed by the protocol's request types, so a
 * request added to `RealtimeApi` does not compile until the SDK knows how to read its reply.
 */
export const REPLY_PARSERS: ReplyParsers = {
  'session:login': parseSession,
  'session:logout': empty,
  'session:update-token': empty,
  'user:get': parseUser,
  'user:conversations': parseConversationList,
  'conversation:get': parseConversation,
  'conversation:events': (body, request) => parseEvents(body, request.cid),
  'new:conversation': parseConversation,
  'conversation:join': parseMember,
  'conversation:invite': parseMember,
  'conversation:delete': empty,
  'conversation:member:delete': parseMember,
  text: parseAck,
  'text:typing:on': empty,
  'text:typing:off': empty,
  'text:delivered': empty,
  'text:seen': parseAck,
  image: parseAck,
  'image:delivered': empty,
  'image:seen': parseAck,
  'event:delete': empty,
  ping: empty,
};

/** The typed reply to `request`, or a ParleyClientError (`badReply`) when the body is not what it should be. */
export function parseReply<K extends RequestType>(request: OutgoingRequest<K>, body: unknown): ReplyOf<K> {
  const parse: ReplyParsers[K] = REPLY_PARSERS[request.type];
  return parse(body, request);
}
