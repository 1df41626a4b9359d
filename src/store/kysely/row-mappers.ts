import type {
  ApplicationsTable,
  ConversationsTable,
  EventsTable,
  MembersTable,
  UsersTable,
} from '../database.js';
import type {
  ApplicationRecord,
  ConversationRecord,
  EventRecord,
  MemberRecord,
  MemberTimestamps,
  UserRecord,
} from '../records.js';

/** JSON columns hold objects only; anything else means the row was written by something other than the store. */
export function parseJsonObject(text: string, column: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`Column ${column} does not hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

export function toApplication(row: ApplicationsTable): ApplicationRecord {
  return {
    id: row.id,
    name: row.name,
    publicKey: row.public_key,
    answerUrl: row.answer_url,
    eventUrl: row.event_url,
    type: row.type,
    created: row.created,
  };
}

/** The columns users and conversations share: both are named, shown and annotated alike in an application. */
type ProfileColumns = Pick<UsersTable, 'application_id' | 'display_name' | 'image_url' | 'custom_data'>;

function toProfile(row: ProfileColumns, table: string) {
  return {
    applicationId: row.application_id,
    displayName: row.display_name,
    imageUrl: row.image_url,
    customData: parseJsonObject(row.custom_data, `${table}.custom_data`),
  };
}

export function toUser(row: UsersTable): UserRecord {
  return {
    id: row.id,
    name: row.name,
    ...toProfile(row, 'users'),
    channels: parseJsonObject(row.channels, 'users.channels'),
    created: row.created,
  };
}

function toNumbers(text: string | null): unknown[] | null {
  if (text === null) return null;
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) throw new Error('Column conversations.numbers does not hold a JSON array');
  return value as unknown[];
}

export function toConversation(row: ConversationsTable): ConversationRecord {
  return {
    id: row.id,
    name: row.name,
    ...toProfile(row, 'conversations'),
    state: row.state,
    joinPolicy: row.join_policy,
    // PostgreSQL drivers may hand integers back as strings.
    lastEventId: Number(row.last_event_id),
    ttl: row.ttl === null ? null : Number(row.ttl),
    type: row.type,
    customSortKey: row.custom_sort_key,
    numbers: toNumbers(row.numbers),
    callback: row.callback === null ? null : parseJsonObject(row.callback, 'conversations.callback'),
    createdBy: row.created_by,
    created: row.created,
    updated: row.updated,
  };
}

export function toMember(row: MembersTable): MemberRecord {
  const channel = parseJsonObject(row.channel, 'members.channel');
  if (typeof channel.type !== 'string') throw new Error('Column members.channel has no type');
  return {
    id: row.id,
    conversationId: row.conversation_id,
    userId: row.user_id,
    state: row.state,
    role: row.role,
    muted: Number(row.muted) === 1,
    timestamps: toTimestamps(row.timestamps),
    channel: { ...channel, type: channel.type },
    invitedBy: row.invited_by,
    created: row.created,
  };
}

function toTimestamps(text: string): MemberTimestamps {
  const stored = parseJsonObject(text, 'members.timestamps');
  const timestamps: MemberTimestamps = {};
  for (const key of ['invited', 'joined', 'left'] as const) {
    const value = stored[key];
    if (typeof value === 'string') timestamps[key] = value;
  }
  return timestamps;
}

export function toEvent(row: EventsTable): EventRecord {
  return {
    conversationId: row.conversation_id,
    id: Number(row.id),
    type: row.type,
    from: row.from_member,
    body: parseJsonObject(row.body, 'events.body'),
    timestamp: row.timestamp,
    deleted: row.deleted,
    clientRef: row.client_ref,
  };
}
