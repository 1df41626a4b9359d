import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Links } from '../../protocol/rest.js';
import type { PageQuery } from '../../store/records.js';
import { validate } from '../validate.js';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 10;

const pageParams = z
  .object({
    page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
    order: z
      .string()
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(['asc', 'desc']))
      .default('asc'),
    cursor: z.string().max(1000).optional(),
  })
  .loose();

export function pageQuery(request: FastifyRequest): PageQuery {
  const q = validate(pageParams, request.query, 'query');
  return { limit: q.page_size, order: q.order, after: q.cursor };
}

/** The absolute URL of this request, as clients must be able to follow `_links` verbatim. */
export function requestUrl(request: FastifyRequest): URL {
  return new URL(request.url, `${request.protocol}://${request.host}`);
}

export function selfLink(request: FastifyRequest, path?: string): Links {
  const url = requestUrl(request);
  return { self: { href: path === undefined ? url.toString() : new URL(path, url).toString() } };
}

/** `self` plus, when more items follow, `next`: the same query with the new cursor. */
export function pageLinks(request: FastifyRequest, next: string | undefined): Links {
  const url = requestUrl(request);
  const links: Links = { self: { href: url.toString() } };
  if (next !== undefined) {
    const nextUrl = new URL(url);
    nextUrl.searchParams.set('cursor', next);
    links.next = { href: nextUrl.toString() };
  }
  return links;
}
