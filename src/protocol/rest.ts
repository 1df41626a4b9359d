/** REST wire shapes, matching Vonage's Conversation API v1 and Applications API v2 as their SDKs parse them. */

export interface Link {
  href: string;
}

export interface Links {
  self: Link;
  next?: Link;
}

export interface UserBody {
  id: string;
  name: string;
  display_name: string | null;
  image_url: string | null;
  properties: { custom_data: Record<string, unknown> };
  channels: Record<string, unknown>;
  _links: Links;
}

export interface ConversationBody {
  id: string;
  name: string | null;
  display_name: string | null;
  image_url: string | null;
  state: 'ACTIVE' | 'INACTIVE' | 'DELETED';
  /** `open`: any user of the application who knows the id may join; `invite`: only invited users. */
  join_policy: 'open' | 'invite';
  sequence_number: number;
  timestamp: { created: string; updated: string };
  properties: { custom_data: Record<string, unknown>; ttl?: number; type?: string; custom_sort_key?: string };
  numbers?: unknown[];
  callback?: Record<string, unknown>;
  _links: Links;
}

/** An item of `GET /v1/users/:id/conversations`: the conversation with the user's member and read state. */
export interface UserConversationBody extends ConversationBody {
  /** Messages from others after the last seen event (0 unless the member is JOINED). */
  unread_count: number;
  /** 0 while nothing has been seen (or delivered). */
  last_seen_event_id: number;
  last_delivered_event_id: number;
  _embedded: { member: { id: string; state: 'INVITED' | 'JOINED' | 'LEFT' } };
}

export interface EmbeddedUser {
  id: string;
  name: string;
  display_name: string | null;
}

export interface MemberBody {
  id: string;
  conversation_id: string;
  state: 'INVITED' | 'JOINED' | 'LEFT';
  role: 'owner' | 'moderator' | 'member';
  muted: boolean;
  timestamp: { invited?: string; joined?: string; left?: string };
  channel: { type: string } & Record<string, unknown>;
  invited_by?: string;
  initiator: Record<string, { is_system: boolean; user_id?: string; member_id?: string }>;
  media: Record<string, unknown>;
  _embedded: { user: EmbeddedUser };
  _links: Links;
}

export interface EventBody {
  id: number;
  type: string;
  from: string | null;
  body: Record<string, unknown>;
  timestamp: string;
  deleted?: string;
  /** For messages in a listing: member id to when they (at the latest) saw it, or had it delivered. */
  state?: { seen_by: Record<string, string>; delivered_to: Record<string, string> };
  _embedded?: { from_user?: EmbeddedUser; from_member?: { id: string } };
  _links: Links;
}

/** Cursor-paginated list: `_embedded` holds `{users|conversations|members: [...]}`, or for events an array. */
export interface ListBody<E> {
  page_size: number;
  _embedded: E;
  _links: Links;
}

export interface ApplicationBody {
  id: string;
  name: string;
  type: 'rtc';
  keys: { public_key: string; private_key?: string };
  capabilities: {
    rtc: { webhooks: { event_url?: { address: string; http_method: string } } };
    voice?: { webhooks: { answer_url?: { address: string; http_method: string } } };
  };
  _links: Links;
}

export interface ApplicationListBody {
  page_size: number;
  page: number;
  total_items: number;
  total_pages: number;
  _embedded: { applications: ApplicationBody[] };
  _links: Links;
}
