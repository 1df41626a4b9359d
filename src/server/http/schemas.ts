import { z } from 'zod';

const text = (max: number) => z.string().trim().min(1).max(max);
const nullableText = (max: number) => z.string().max(max).nullable().optional();
const customData = z.record(z.string(), z.unknown()).optional();
const properties = z.object({ custom_data: customData }).loose().optional();
const url = z.string().url().max(2048);

export const newUserSchema = z
  .object({
    name: text(200),
    display_name: nullableText(200),
    image_url: url.nullable().optional(),
    properties,
  })
  .loose();

export const userPatchSchema = z
  .object({
    name: text(200).optional(),
    display_name: nullableText(200),
    image_url: url.nullable().optional(),
    properties,
  })
  .loose();

export const joinPolicySchema = z.enum(['open', 'invite']);

export const newConversationSchema = z
  .object({
    name: text(200).nullable().optional(),
    join_policy: joinPolicySchema.optional(),
    display_name: nullableText(200),
    image_url: url.nullable().optional(),
    properties,
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

export const memberPatchSchema = z
  .object({
    state: memberStateSchema.pipe(z.enum(['JOINED', 'LEFT'])).optional(),
    role: z.enum(['moderator', 'member']).optional(),
    muted: z.boolean().optional(),
    /** Why a member was removed, carried into `member:left`. */
    reason: z.string().max(1000).optional(),
  })
  .loose()
  .refine((patch) => patch.state !== undefined || patch.role !== undefined || patch.muted !== undefined, {
    message: 'Give state, role or muted',
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
