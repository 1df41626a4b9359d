import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Domain } from '../../core/domain.js';
import { ParleyError } from '../../protocol/errors.js';
import { bearerAuth } from './authenticate.js';
import { installErrorBoundary } from './error-boundary.js';
import { applicationsRoutes } from './routes/applications-routes.js';
import { conversationsRoutes } from './routes/conversations-routes.js';
import { eventsRoutes } from './routes/events-routes.js';
import { importExportRoutes } from './routes/import-export-routes.js';
import { membersRoutes } from './routes/members-routes.js';
import { usersRoutes } from './routes/users-routes.js';
import { webRoutes } from './routes/web-routes.js';
import type { Metrics } from '../metrics.js';
import type { OriginPolicy } from '../origin-policy.js';
import type { KeyedBuckets } from '../../core/token-bucket.js';
import { corsAndHeaders } from './cors-and-headers.js';
import { demoRoutes } from '../demo/demo-routes.js';
import type { DemoState } from '../demo/demo-seed.js';
import type { MediaService } from '../../core/media/media-service.js';
import { mediaRoutes } from '../media/media-routes.js';
import { successorRoutes } from './dialects/successor-routes.js';
import type { SuccessorOptions } from './dialects/successor-options.js';
import type { UserSessions } from './user-sessions.js';

export interface HttpOptions {
  logger: FastifyBaseLogger;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  metrics: Metrics;
  /** Requests a second per user, shared with the realtime transports. */
  userBuckets: KeyedBuckets;
  /** Requests a second per application token (a backend), apart from users'. */
  appBuckets: KeyedBuckets;
  origins: OriginPolicy;
  /** Set in demo mode only. */
  demo?: DemoState | undefined;
  /** Uploads and downloads; without it the media routes are absent. */
  media?: MediaService | undefined;
  /** The successor SDKs' REST dialects; served when given. */
  successor?: SuccessorOptions | undefined;
  /** The realtime hub's live sessions, for `GET /v1/users/:id/sessions`. */
  userSessions?: UserSessions | undefined;
}

/** The Fastify app: health, the account-level `/v2` API and the Conversation API `/v1`. */
export function buildHttpApp(domain: Domain, options: HttpOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit,
    trustProxy: false,
    // One structured line per request (our onResponse hook) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true },
  });
  installErrorBoundary(app);
  corsAndHeaders(app, options.origins);
  acceptEmptyJsonBodies(app);

  const { metrics } = options;
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: reply.statusCode });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    request.log.info(
      {
        method: request.method,
        url: request.url.split('?', 1)[0],
        status: reply.statusCode,
        ms: reply.elapsedTime,
      },
      'request',
    );
    done();
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(body);
  });

  webRoutes(app);
  if (options.demo) demoRoutes(app, domain, options.demo);

  app.get('/healthz', async (_request, reply) => {
    try {
      await domain.health.ping();
    } catch {
      throw new ParleyError('system:error:unavailable', 'The store is unreachable');
    }
    return reply.send({ status: 'ok' });
  });

  // Encapsulated scopes, so each API's auth hook covers exactly its own routes.
  void app.register((scope, _opts, done) => {
    applicationsRoutes(scope, domain);
    done();
  });

  void app.register((scope, _opts, done) => {
    importExportRoutes(scope, domain, options.bodyLimit);
    done();
  });

  void app.register((scope, _opts, done) => {
    scope.decorateRequest('principal', null);
    scope.addHook('preHandler', bearerAuth(domain.tokens, options.userBuckets, options.appBuckets));
    usersRoutes(scope, domain, options.userSessions);
    conversationsRoutes(scope, domain);
    membersRoutes(scope, domain);
    const successor = options.successor;
    eventsRoutes(scope, domain, options.media, successor && ((event) => successor.relay(event)));
    if (options.successor) successorRoutes(scope, domain, options.successor);
    done();
  });

  const media = options.media;
  if (media) {
    void app.register((scope, _opts, done) => {
      mediaRoutes(scope, media, {
        tokens: domain.tokens,
        userBuckets: options.userBuckets,
        appBuckets: options.appBuckets,
      });
      done();
    });
  }

  return app;
}

/** Clients send `content-type: application/json` on bodiless DELETEs; an empty JSON body means no body. */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.toString().trim() === '') {
      done(null, undefined);
      return;
    }
    void parse(request, body.toString(), done);
  });
}
