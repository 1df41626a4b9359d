import { z } from 'zod';
import type { ImportItem } from '../../../core/dump-items.js';

/*
 * One line of an import in Vonage's v1 REST shapes (src/protocol/dump.ts). Lenient where Vonage's own dumps
 * vary (states in either case, optional fields absent or null) and exact about what is kept: strings,
 * timestamps and bodies are stored as the line gives them.
 */

const id = z.string().min(1).max(200);
const optionalText = (max: number) => z.string().max(max).nullable().optional();
const isIsoTime = (value: string): boolean =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value));
const time = z.string().max(64).refine(isIsoTime, 'must be an ISO-8601 time');
const json = z.record(z.string(), z.unknown());
const properties = z.object({ custom_data: json.nullable().optional() }).loose().optional();
const upper = <const T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(values));

const userLine = z
  .object({
    kind: z.literal('user'),
    id,
    name: z.string().min(1).max(200),
    display_name: optionalText(200),
    image_url: optionalText(2048),
    properties,
    channels: json.nullable().optional(),
    _parley: z.object({ created: time.optional() }).loose().optional(),
  })
  .loose();

const conversationLine = z
  .object({
    kind: z.literal('conversation'),
    id,
    name: optionalText(200),
    display_name: optionalText(200),
    image_url: optionalText(2048),
    state: upper(['ACTIVE', 'INACTIVE', 'DELETED']).default('ACTIVE'),
    timestamp: z.object({ created: time.optional(), updated: time.optional() }).loose().optional(),
    /** Parley's own field; Vonage conversations were open to anyone with the id. */
    join_policy: z.enum(['open', 'invite']).default('open'),
    properties: z
      .object({
        custom_data: json.nullable().optional(),
        ttl: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable().optional(),
        type: optionalText(200),
        custom_sort_key: optionalText(200),
      })
      .loose()
      .optional(),
    numbers: z.array(json).nullable().optional(),
    callback: json.nullable().optional(),
    _parley: z
      .object({ created_by: optionalText(200) })
      .loose()
      .optional(),
  })
  .loose();

const memberLine = z
  .object({
    kind: z.literal('member'),
    id,
    conversation_id: id,
    state: upper(['JOINED', 'INVITED', 'LEFT']),
    timestamp: z
      .object({ invited: time.optional(), joined: time.optional(), left: time.optional() })
      .loose()
      .default({}),
    channel: z
      .object({ type: z.string().min(1).max(50) })
      .loose()
      .default({ type: 'app' }),
    invited_by: optionalText(200),
    /** Parley's own fields; Vonage had no roles or mutes. */
    role: z.enum(['owner', 'moderator', 'member']).default('member'),
    muted: z.boolean().default(false),
    _embedded: z
      .object({ user: z.object({ id }).loose() })
      .loose()
      .optional(),
    /** Accepted too: some dumps flatten the member's user. */
    user_id: id.optional(),
    _parley: z.object({ created: time.optional() }).loose().optional(),
  })
  .loose()
  .refine((member) => (member._embedded?.user.id ?? member.user_id) !== undefined, {
    message: 'names no user (_embedded.user.id)',
    path: ['_embedded', 'user', 'id'],
  });

const eventLine = z
  .object({
    kind: z.literal('event'),
    id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    conversation_id: id,
    type: z.string().min(1).max(100),
    from: optionalText(200),
    body: json.nullable().optional(),
    timestamp: time,
    // A deletion time, as Parley shows it; `true` (deleted at an unknown time) counts from the event's own.
    deleted: z
      .union([time, z.literal(true)])
      .nullable()
      .optional(),
    _parley: z
      .object({ client_ref: z.string().min(1).max(100).nullable().optional() })
      .loose()
      .optional(),
  })
  .loose();

const dumpLine = z.discriminatedUnion('kind', [userLine, conversationLine, memberLine, eventLine]);

const KINDS = new Set(['user', 'conversation', 'member', 'event']);

/** Parses one line of a dump; anything unusable becomes a `malformed` item that says why. */
export function parseDumpLine(line: number, text: string): ImportItem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { line, kind: 'malformed', reason: 'not valid JSON' };
  }
  const kind = typeof value === 'object' && value !== null && 'kind' in value ? value.kind : undefined;
  if (typeof kind !== 'string' || !KINDS.has(kind)) {
    return { line, kind: 'malformed', reason: 'kind must be user, conversation, member or event' };
  }
  const parsed = dumpLine.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : kind;
    return { line, kind: 'malformed', reason: `${kind} ${where}: ${issue?.message ?? 'invalid'}` };
  }
  return toItem(line, parsed.data);
}

function toItem(line: number, data: z.output<typeof dumpLine>): ImportItem {
  switch (data.kind) {
    case 'user':
      return {
        line,
        kind: 'user',
        user: {
          id: data.id,
          name: data.name,
          displayName: data.display_name ?? null,
          imageUrl: data.image_url ?? null,
          customData: data.properties?.custom_data ?? {},
          channels: data.channels ?? {},
          created: data._parley?.created,
        },
      };
    case 'conversation':
      return {
        line,
        kind: 'conversation',
        conversation: {
          id: data.id,
          name: data.name ?? null,
          displayName: data.display_name ?? null,
          imageUrl: data.image_url ?? null,
          state: data.state,
          joinPolicy: data.join_policy,
          customData: data.properties?.custom_data ?? {},
          ttl: data.properties?.ttl ?? null,
          type: data.properties?.type ?? null,
          customSortKey: data.properties?.custom_sort_key ?? null,
          numbers: data.numbers ?? null,
          callback: data.callback ?? null,
          created: data.timestamp?.created,
          updated: data.timestamp?.updated,
          createdBy: data._parley?.created_by,
        },
      };
    case 'member': {
      const { invited, joined, left } = data.timestamp;
      return {
        line,
        kind: 'member',
        member: {
          id: data.id,
          conversationId: data.conversation_id,
          userId: data._embedded?.user.id ?? data.user_id ?? '',
          state: data.state,
          role: data.role,
          muted: data.muted,
          timestamps: {
            ...(invited !== undefined && { invited }),
            ...(joined !== undefined && { joined }),
            ...(left !== undefined && { left }),
          },
          channel: data.channel,
          invitedBy: data.invited_by,
          created: data._parley?.created,
        },
      };
    }
    case 'event':
      return {
        line,
        kind: 'event',
        event: {
          conversationId: data.conversation_id,
          id: data.id,
          type: data.type,
          from: data.from ?? null,
          body: data.body ?? {},
          timestamp: data.timestamp,
          deleted: data.deleted === true ? data.timestamp : (data.deleted ?? null),
          clientRef: data._parley?.client_ref,
        },
      };
  }
}
