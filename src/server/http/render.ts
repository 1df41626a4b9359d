import type { FastifyRequest } from 'fastify';
import type { EventView, MemberView } from '../../core/views.js';
import type {
  ApplicationBody,
  ConversationBody,
  EmbeddedUser,
  EventBody,
  Links,
  ListBody,
  MemberBody,
  UserBody,
  UserConversationBody,
} from '../../protocol/rest.js';
import type { ApplicationRecord, ConversationRecord, Page, UserRecord } from '../../store/records.js';
import type { Membership } from '../../store/store.js';
import { pageLinks, requestUrl } from './pagination.js';

/** Records to Vonage-shaped JSON. `base` is the server's absolute origin, for `_links`. */

const link = (base: string, path: string): Links => ({ self: { href: `${base}${path}` } });

export function renderUser(base: string, user: UserRecord): UserBody {
  return {
    id: user.id,
    name: user.name,
    display_name: user.displayName,
    image_url: user.imageUrl,
    properties: { custom_data: user.customData },
    channels: user.channels,
    _links: link(base, `/v1/users/${user.id}`),
  };
}

export function renderConversation(base: string, c: ConversationRecord): ConversationBody {
  const body: ConversationBody = {
    id: c.id,
    name: c.name,
    display_name: c.displayName,
    image_url: c.imageUrl,
    state: c.state,
    join_policy: c.joinPolicy,
    sequence_number: c.lastEventId,
    timestamp: { created: c.created, updated: c.updated },
    properties: { custom_data: c.customData },
    _links: link(base, `/v1/conversations/${c.id}`),
  };
  // Present only when given, as Vonage answers.
  if (c.ttl !== null) body.properties.ttl = c.ttl;
  if (c.type !== null) body.properties.type = c.type;
  if (c.customSortKey !== null) body.properties.custom_sort_key = c.customSortKey;
  if (c.numbers !== null) body.numbers = c.numbers;
  if (c.callback !== null) body.callback = c.callback;
  return body;
}

/** One of a user's conversations, with their member in it and their read state. */
export function renderMembership(
  base: string,
  { conversation, member, readState }: Membership,
): UserConversationBody {
  return {
    ...renderConversation(base, conversation),
    unread_count: readState.unreadCount,
    last_seen_event_id: readState.lastSeenEventId,
    last_delivered_event_id: readState.lastDeliveredEventId,
    _embedded: { member: { id: member.id, state: member.state } },
  };
}

export const embeddedUser = (user: UserRecord): EmbeddedUser => ({
  id: user.id,
  name: user.name,
  display_name: user.displayName,
});

export function renderMember(base: string, { member, user }: MemberView): MemberBody {
  const body: MemberBody = {
    id: member.id,
    conversation_id: member.conversationId,
    state: member.state,
    role: member.role,
    muted: member.muted,
    timestamp: member.timestamps,
    channel: member.channel,
    initiator: member.invitedBy
      ? { invited: { is_system: false } }
      : { joined: { is_system: false, user_id: user.id, member_id: member.id } },
    media: {},
    _embedded: { user: embeddedUser(user) },
    _links: link(base, `/v1/conversations/${member.conversationId}/members/${member.id}`),
  };
  if (member.invitedBy) body.invited_by = member.invitedBy;
  return body;
}

export function renderEvent(base: string, { event, fromUser, receipts }: EventView): EventBody {
  const body: EventBody = {
    id: event.id,
    type: event.type,
    from: event.from,
    body: event.body,
    timestamp: event.timestamp,
    _links: link(base, `/v1/conversations/${event.conversationId}/events/${event.id}`),
  };
  if (event.deleted) body.deleted = event.deleted;
  if (receipts) body.state = { seen_by: receipts.seenBy, delivered_to: receipts.deliveredTo };
  if (event.from) {
    body._embedded = { from_member: { id: event.from } };
    if (fromUser) body._embedded.from_user = embeddedUser(fromUser);
  }
  return body;
}

export function renderApplication(
  base: string,
  app: ApplicationRecord,
  privateKey?: string,
): ApplicationBody {
  const body: ApplicationBody = {
    id: app.id,
    name: app.name,
    type: app.type,
    keys:
      privateKey === undefined
        ? { public_key: app.publicKey }
        : { public_key: app.publicKey, private_key: privateKey },
    capabilities: {
      rtc: { webhooks: app.eventUrl ? { event_url: { address: app.eventUrl, http_method: 'POST' } } : {} },
    },
    _links: link(base, `/v2/applications/${app.id}`),
  };
  if (app.answerUrl)
    body.capabilities.voice = { webhooks: { answer_url: { address: app.answerUrl, http_method: 'GET' } } };
  return body;
}

/**
 * The envelope of every keyset-paged list: `{page_size, _embedded: {<key>: [...]}, _links}` with `next`
 * while more items follow. `pageSize` is the size asked for, not the count returned, as Vonage answers.
 */
export function renderList<K extends string, T, B>(
  request: FastifyRequest,
  pageSize: number,
  key: K,
  page: Page<T>,
  render: (origin: string, item: T) => B,
): ListBody<Record<K, B[]>>;
/** Events are the exception: Vonage embeds them as a bare array (`key` null). */
export function renderList<T, B>(
  request: FastifyRequest,
  pageSize: number,
  key: null,
  page: Page<T>,
  render: (origin: string, item: T) => B,
): ListBody<B[]>;
export function renderList<T, B>(
  request: FastifyRequest,
  pageSize: number,
  key: string | null,
  page: Page<T>,
  render: (origin: string, item: T) => B,
): ListBody<Record<string, B[]> | B[]> {
  const origin = requestUrl(request).origin;
  const items = page.items.map((item) => render(origin, item));
  return {
    page_size: pageSize,
    _embedded: key === null ? items : { [key]: items },
    _links: pageLinks(request, page.next),
  };
}
