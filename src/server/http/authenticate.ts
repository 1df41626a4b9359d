import type { FastifyReply, FastifyRequest } from 'fastify';
import { aclAllows } from '../../core/auth/acl.js';
import type { Principal } from '../../core/auth/principal.js';
import type { TokenVerifier } from '../../core/auth/token-verifier.js';
import type { KeyedBuckets } from '../../core/token-bucket.js';
import { ParleyError } from '../../protocol/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The caller of a `/v1` route, known to be set by the bearer hook. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ParleyError('system:error:missing-token');
  return request.principal;
}

/**
 * A preHandler: verifies the bearer JWT and the ACL for this method and path, and rate-limits: a user token
 * per user (`userBuckets`, shared with realtime), an application token per application (`appBuckets`).
 */
export function bearerAuth(tokens: TokenVerifier, userBuckets: KeyedBuckets, appBuckets: KeyedBuckets) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match?.[1]) throw new ParleyError('system:error:missing-token');
    const principal = await tokens.verify(match[1]);
    const path = request.url.split('?', 1)[0] ?? request.url;
    if (!aclAllows(principal.acl, request.method, path)) {
      throw new ParleyError(
        'system:error:forbidden-path',
        `The token's ACL does not allow ${request.method} ${path}`,
      );
    }
    const wait = principal.user
      ? userBuckets.take(`${principal.application.id}:${principal.user.id}`)
      : appBuckets.take(principal.application.id);
    if (wait > 0) {
      throw new ParleyError('system:error:rate-limited', 'Too many requests; slow down', {
        retry_after: Math.ceil(wait * 1000) / 1000,
      });
    }
    request.principal = principal;
  };
}
