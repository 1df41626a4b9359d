import type { ApplicationsTable, ConversationsTable, MembersTable, UsersTable } from '../database.js';
import type { ApplicationRecord, ConversationRecord, MemberRecord, UserRecord } from '../records.js';

/** The columns users and conversations share: both are named, shown and annotated alike in an application. */
type ProfileColumns = Pick<UsersTable, 'application_id' | 'display_name' | 'image_url' | 'custom_data'>;

type Profile = Pick<UserRecord, 'applicationId' | 'displayName' | 'imageUrl' | 'customData'>;

/** The profile columns a patch changes: `undefined` leaves a column alone, where null clears it. */
export function profileChanges(patch: Partial<Omit<Profile, 'applicationId'>>): Partial<ProfileColumns> {
  const changes: Partial<ProfileColumns> = {};
  if (patch.displayName !== undefined) changes.display_name = patch.displayName;
  if (patch.imageUrl !== undefined) changes.image_url = patch.imageUrl;
  if (patch.customData !== undefined) changes.custom_data = JSON.stringify(patch.customData);
  return changes;
}

function profileColumns(record: Profile): ProfileColumns {
  return {
    application_id: record.applicationId,
    display_name: record.displayName,
    image_url: record.imageUrl,
    custom_data: JSON.stringify(record.customData),
  };
}

/** A nullable JSON column: null stays SQL NULL rather than the text `null`. */
export const jsonOrNull = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));

/** The row that stores a new application. */
export function applicationRow(app: ApplicationRecord): ApplicationsTable {
  return {
    id: app.id,
    name: app.name,
    public_key: app.publicKey,
    answer_url: app.answerUrl,
    event_url: app.eventUrl,
    type: app.type,
    created: app.created,
  };
}

/** The row that stores a new user. */
export function userRow(user: UserRecord): UsersTable {
  return {
    id: user.id,
    name: user.name,
    ...profileColumns(user),
    channels: JSON.stringify(user.channels),
    created: user.created,
  };
}

/** The row that stores a new conversation. */
export function conversationRow(conversation: ConversationRecord): ConversationsTable {
  return {
    id: conversation.id,
    name: conversation.name,
    ...profileColumns(conversation),
    state: conversation.state,
    join_policy: conversation.joinPolicy,
    last_event_id: conversation.lastEventId,
    message_count: 0,
    ttl: conversation.ttl,
    type: conversation.type,
    custom_sort_key: conversation.customSortKey,
    numbers: jsonOrNull(conversation.numbers),
    callback: jsonOrNull(conversation.callback),
    created_by: conversation.createdBy,
    created: conversation.created,
    updated: conversation.updated,
  };
}

/** A new member has seen nothing; joining sets its horizon (`joinHorizon`). */
const NO_READ_STATE = {
  last_delivered_event_id: 0,
  last_seen_event_id: 0,
  last_delivered_at: null,
  last_seen_at: null,
  unread_horizon: 0,
  horizon_messages: 0,
  excluded_messages: 0,
} as const;

/** The row that stores a new member. */
export function memberRow(member: MemberRecord): MembersTable {
  return {
    id: member.id,
    conversation_id: member.conversationId,
    user_id: member.userId,
    state: member.state,
    role: member.role,
    muted: member.muted ? 1 : 0,
    timestamps: JSON.stringify(member.timestamps),
    channel: JSON.stringify(member.channel),
    invited_by: member.invitedBy,
    created: member.created,
    ...NO_READ_STATE,
  };
}
