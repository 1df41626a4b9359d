import type { z } from 'zod';
import { UnexpectedReplyError, type RestClient } from './rest-client.js';
import type { CursorPage } from './wire.js';

/** Follows `_links.next.href` from the first page until the server leaves it out. */
export const collectCursorPages = async <S extends z.ZodType, T>(
  client: RestClient,
  firstPath: string,
  schema: S,
  pick: (page: z.infer<S>) => CursorPage<T>,
): Promise<T[]> => {
  const items: T[] = [];
  const visited = new Set<string>();
  let path: string | undefined = firstPath;
  while (path !== undefined) {
    if (visited.has(path)) throw new UnexpectedReplyError(`the server's next link loops back to ${path}`);
    visited.add(path);
    const page = pick(await client.get(path, schema));
    items.push(...page.items);
    path = page.next === undefined ? undefined : client.resolveHref(page.next);
  }
  return items;
};

/** Walks `page=1..total_pages` of a numbered list (the `/v2/applications` style). */
export const collectNumberedPages = async <S extends z.ZodType, T>(
  client: RestClient,
  pathForPage: (page: number) => string,
  schema: S,
  pick: (page: z.infer<S>) => { items: readonly T[]; totalPages: number | undefined },
): Promise<T[]> => {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const reply = pick(await client.get(pathForPage(page), schema));
    items.push(...reply.items);
    if (reply.items.length === 0 || page >= (reply.totalPages ?? 1)) return items;
  }
};
