import { z } from 'zod';

/**
 * The parts of the server's replies the CLI reads, checked once as they arrive. Objects are loose:
 * fields the CLI does not know pass through untouched to `--json`.
 */

const href = z.looseObject({ href: z.string() });
const links = z.looseObject({ next: href.optional() }).optional();

export const applicationSchema = z.looseObject({ id: z.string().min(1), name: z.string() });
export type Application = z.infer<typeof applicationSchema>;

export const applicationPageSchema = z.looseObject({
  page: z.number().int().optional(),
  total_pages: z.number().int().optional(),
  _embedded: z.looseObject({ applications: z.array(applicationSchema) }),
});

export const conversationSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullish(),
  display_name: z.string().nullish(),
});
export type Conversation = z.infer<typeof conversationSchema>;

export const conversationPageSchema = z.looseObject({
  _embedded: z.looseObject({ conversations: z.array(conversationSchema) }),
  _links: links,
});

export const userSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  display_name: z.string().nullish(),
});
export type User = z.infer<typeof userSchema>;

export const userPageSchema = z.looseObject({
  _embedded: z.looseObject({ users: z.array(userSchema) }),
  _links: links,
});

export const memberSchema = z.looseObject({
  id: z.string().min(1),
  state: z.string(),
  _embedded: z
    .looseObject({
      user: z
        .looseObject({ id: z.string(), name: z.string().nullish(), display_name: z.string().nullish() })
        .optional(),
    })
    .optional(),
});
export type Member = z.infer<typeof memberSchema>;

export const memberPageSchema = z.looseObject({
  _embedded: z.looseObject({ members: z.array(memberSchema) }),
  _links: links,
});

/** A `/v1` list page: items plus an optional cursor link to the next page. */
export interface CursorPage<T> {
  readonly items: readonly T[];
  readonly next: string | undefined;
}
