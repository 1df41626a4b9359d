import type { FastifyRequest } from 'fastify';
import type { Links } from '../../../protocol/rest.js';
import { requestUrl } from '../pagination.js';

/**
 * `self`, and `next` with the page size first and the cursor last: nexmo-client reads the cursor with
 * URLSearchParams over the whole href, which misses a parameter right after the `?`.
 */
export function dialectLinks(
  request: FastifyRequest,
  pageSize: number,
  next: string | number | undefined,
): Links {
  const url = requestUrl(request);
  const links: Links = { self: { href: url.toString() } };
  if (next !== undefined) {
    const nextUrl = new URL(url);
    nextUrl.searchParams.delete('cursor');
    nextUrl.searchParams.delete('page_size');
    nextUrl.search = `?page_size=${pageSize}${nextUrl.search.replace(/^\?/, '&')}`;
    nextUrl.searchParams.append('cursor', String(next));
    links.next = { href: nextUrl.toString() };
  }
  return links;
}
