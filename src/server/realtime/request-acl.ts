import { aclAllows } from '../../core/auth/acl.js';
import type { Principal } from '../../core/auth/principal.js';
import { ParleyError } from '../../protocol/errors.js';
import type { RealtimeRequest } from '../../protocol/realtime.js';
import type { HandledType } from './request-handlers.js';

type Route = readonly [method: string, path: string];

const conversation = (r: RealtimeRequest): string => `/v1/conversations/${r.cid ?? '-'}`;
const events = (r: RealtimeRequest): Route => ['POST', `${conversation(r)}/events`];
const field = (r: RealtimeRequest, name: string): string => {
  const value = r.body?.[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '-';
};

/**
 * Each realtime request as the REST call that does the same, so a token's ACL paths govern both alike: a token
 * without `/*\/conversations/**` cannot send over a socket either. Every request type must have an entry.
 */
const REST_EQUIVALENT: Record<HandledType, (request: RealtimeRequest, principal: Principal) => Route> = {
  'user:get': (r) => ['GET', `/v1/users/${field(r, 'user_id')}`],
  'user:conversations': (_r, p) => ['GET', `/v1/users/${p.user?.id ?? '-'}/conversations`],
  'conversation:get': (r) => ['GET', conversation(r)],
  'conversation:events': (r) => ['GET', `${conversation(r)}/events`],
  'new:conversation': () => ['POST', '/v1/conversations'],
  'conversation:join': (r) => ['POST', `${conversation(r)}/members`],
  'conversation:invite': (r) => ['POST', `${conversation(r)}/members`],
  'conversation:delete': (r) => ['DELETE', conversation(r)],
  'conversation:member:delete': (r) => [
    'PATCH',
    `${conversation(r)}/members/${r.to ?? field(r, 'member_id')}`,
  ],
  text: events,
  'text:typing:on': events,
  'text:typing:off': events,
  'text:delivered': events,
  'text:seen': events,
  image: events,
  'image:delivered': events,
  'image:seen': events,
  'event:delete': (r) => ['DELETE', `${conversation(r)}/events/${field(r, 'event_id')}`],
};

/** Refuses a request the token's ACL would refuse over REST (`system:error:forbidden-path`). */
export function requireAclFor(type: HandledType, principal: Principal, request: RealtimeRequest): void {
  const [method, path] = REST_EQUIVALENT[type](request, principal);
  if (!aclAllows(principal.acl, method, path)) {
    throw new ParleyError('system:error:forbidden-path', `The token's ACL does not allow ${method} ${path}`);
  }
}
