import type { MediaTables } from './media/media-tables.js';
import type { ApplicationRecord, ConversationState, JoinPolicy, MemberRole, MemberState } from './records.js';

/**
 * The schema as Kysely sees it. Column types are the portable subset shared by SQLite and PostgreSQL:
 * ids, ISO timestamps and JSON documents are text, counters are integers.
 */
export interface Database extends MediaTables {
  settings: SettingsTable;
  applications: ApplicationsTable;
  users: UsersTable;
  conversations: ConversationsTable;
  members: MembersTable;
  events: EventsTable;
  bans: BansTable;
}

export interface BansTable {
  conversation_id: string;
  user_id: string;
  reason: string | null;
  created: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface ApplicationsTable {
  id: string;
  name: string;
  public_key: string;
  answer_url: string | null;
  event_url: string | null;
  type: ApplicationRecord['type'];
  created: string;
}

export interface UsersTable {
  id: string;
  application_id: string;
  name: string;
  display_name: string | null;
  image_url: string | null;
  /** JSON object. */
  custom_data: string;
  /** JSON object: the user's channels as the Vonage API takes them. */
  channels: string;
  created: string;
}

export interface ConversationsTable {
  id: string;
  application_id: string;
  name: string | null;
  display_name: string | null;
  image_url: string | null;
  state: ConversationState;
  /** JSON object. */
  custom_data: string;
  last_event_id: number;
  join_policy: JoinPolicy;
  /** Messages ever appended, deleted ones included (0004). */
  message_count: number;
  ttl: number | null;
  type: string | null;
  custom_sort_key: string | null;
  /** JSON array, or null. */
  numbers: string | null;
  /** JSON object, or null. */
  callback: string | null;
  created_by: string | null;
  created: string;
  updated: string;
}

export interface MembersTable {
  id: string;
  conversation_id: string;
  user_id: string;
  state: MemberState;
  /** JSON object: `MemberTimestamps`. */
  timestamps: string;
  /** JSON object: `{ type, ... }`. */
  channel: string;
  invited_by: string | null;
  created: string;
  role: MemberRole;
  /** 1 when muted. */
  muted: number;
  /** Read state (0004): see `kysely/read-state.ts`. */
  last_delivered_event_id: number;
  last_seen_event_id: number;
  last_delivered_at: string | null;
  last_seen_at: string | null;
  unread_horizon: number;
  horizon_messages: number;
  excluded_messages: number;
}

export interface EventsTable {
  conversation_id: string;
  id: number;
  type: string;
  from_member: string | null;
  /** JSON object. */
  body: string;
  timestamp: string;
  deleted: string | null;
  client_ref: string | null;
}
