import { z } from 'zod';

const text = (max: number) => z.string().trim().min(1).max(max);
const nullableText = (max: number) => z.string().max(max).nullable().optional();
const customData = z.record(z.string(), z.unknown()).optional();
const properties = z.object({ custom_data: customData }).loose().optional();
const url = z.string().url().max(2048);

/** A user's channels (pstn, sip, websocket, ...): kept verbatim, so only the outer shape is checked. */
const channels = z.record(z.string().max(50), z.unknown()).optional();

export const newUserSchema = z
  .object({
    name: text(200),
    display_name: nullableText(200),
    image_url: url.nullable().optional(),
    properties,
    channels,
  })
  .loose();

export const userPatchSchema = z
  .object({
    name: text(200).optional(),
    display_name: nullableText(200),
    image_url: url.nullable().optional(),
    properties,
    channels,
  })
  .loose();

export const joinPolicySchema = z.enum(['open', 'invite']);
/** Vonage takes the time to live in `properties`; seconds, as given. */
const ttl = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable().optional();

export const newConversationSchema = z
  .object({
    name: text(200).nullable().optional(),
    join_policy: joinPolicySchema.optional(),
    display_name: nullableText(200),
    image_url: url.nullable().optional(),
    properties: z
      .object({
        custom_data: customData,
        ttl,
        type: z.string().max(200).nullable().optional(),
        custom_sort_key: z.string().max(200).nullable().optional(),
      })
      .loose()
      .optional(),
    numbers: z.array(z.record(z.string(), z.unknown())).max(100).nullable().optional(),
    callback: z
      .object({
        url: url.optional(),
        event_mask: z.string().max(2048).optional(),
        params: z.record(z.string(), z.unknown()).optional(),
        method: z.enum(['GET', 'POST']).optional(),
      })
      .loose()
      .nullable()
      .optional(),
  })
  .loose();

export const conversationPatchSchema = newConversationSchema;

const memberStateSchema = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(['JOINED', 'INVITED', 'LEFT']));

export const newMemberSchema = z
  .object({
    user: z.object({ id: z.string().max(100).optional(), name: z.string().max(200).optional() }).loose(),
    state: memberStateSchema.pipe(z.enum(['JOINED', 'INVITED'])),
    channel: z
      .object({ type: z.string().min(1).max(50) })
      .loose()
      .optional(),
  })
  .loose();

/** Why a member left: Vonage's `{code, text}`, or a moderator's words; carried into `member:left`. */
export const leaveReasonSchema = z.union([
  z.string().max(1000),
  z.object({ code: z.string().max(100).optional(), text: z.string().max(1000).optional() }).loose(),
]);

export const memberPatchSchema = z
  .object({
    state: memberStateSchema.pipe(z.enum(['JOINED', 'LEFT'])).optional(),
    role: z.enum(['moderator', 'member']).optional(),
    muted: z.boolean().optional(),
    reason: leaveReasonSchema.optional(),
  })
  .loose()
  .refine((patch) => patch.state !== undefined || patch.role !== undefined || patch.muted !== undefined, {
    message: 'Give state, role or muted',
  })
  .refine((m) => m.reason === undefined || m.state === 'LEFT', {
    message: 'a reason is given only when leaving',
    path: ['reason'],
  });

export const newBanSchema = z
  .object({ user_id: z.string().min(1).max(100), reason: z.string().max(1000).optional() })
  .loose();

export const newEventSchema = z
  .object({
    type: z
      .string()
      .max(100)
      .regex(/^[a-z][a-z0-9_-]*(:[a-z0-9_-]+)*$/, 'lower-case words separated by colons'),
    from: z.string().max(100).optional(),
    body: z.record(z.string(), z.unknown()).default({}),
    client_ref: z.string().min(1).max(100).optional(),
  })
  .loose();

const pem = z.string().min(1).max(16_384);

export const newApplicationSchema = z
  .object({
    name: text(200),
    type: z.literal('rtc').optional(),
    keys: z.object({ public_key: pem.optional() }).loose().optional(),
    capabilities: z
      .object({
        rtc: z
          .object({
            webhooks: z
              .object({ event_url: z.object({ address: url }).loose().optional() })
              .loose()
              .optional(),
          })
          .loose()
          .optional(),
        voice: z
          .object({
            webhooks: z
              .object({ answer_url: z.object({ address: url }).loose().optional() })
              .loose()
              .optional(),
          })
          .loose()
          .optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

export const eventIdSchema = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
