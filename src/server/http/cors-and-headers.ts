import type { FastifyInstance } from 'fastify';
import type { OriginPolicy } from '../origin-policy.js';

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
const ALLOWED_HEADERS = 'authorization, content-type';

/**
 * CORS for allowed origins (no credentials: tokens travel in headers, never cookies), preflight answers,
 * and the headers every response carries. A disallowed origin gets no CORS headers, so browsers refuse it.
 */
export function corsAndHeaders(app: FastifyInstance, origins: OriginPolicy): void {
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
    const origin = request.headers.origin;
    if (origin !== undefined && origins.allows(origin)) {
      void reply.header('access-control-allow-origin', origin).header('vary', 'origin');
      if (request.method === 'OPTIONS') {
        void reply
          .header('access-control-allow-methods', ALLOWED_METHODS)
          .header('access-control-allow-headers', ALLOWED_HEADERS)
          .header('access-control-max-age', '600')
          .status(204)
          .send();
        return;
      }
    }
    done();
  });
}
