import type { FastifyError, FastifyInstance } from 'fastify';
import { ParleyError, isParleyError, type ErrorCode } from '../../protocol/errors.js';

/** Fastify's own failures that are the client's fault, mapped onto the catalogue. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'http:error:payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'http:error:unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'http:error:validation-fail',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'http:error:malformed-json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'http:error:malformed-json',
  FST_ERR_BAD_URL: 'http:error:validation-fail',
};

/** Any other client error Fastify raises, by status. */
const STATUS_CODES: Record<number, ErrorCode> = {
  404: 'http:error:not-found',
  405: 'http:error:method-not-allowed',
  413: 'http:error:payload-too-large',
  415: 'http:error:unsupported-media-type',
};

/**
 * The one error boundary of the HTTP API: catalogue errors render themselves; anything unknown is logged
 * and becomes an opaque `system:error:internal`.
 */
export function installErrorBoundary(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let known: ParleyError;
    if (isParleyError(error)) {
      known = error;
    } else if (error.code && FASTIFY_CODES[error.code]) {
      known = new ParleyError(FASTIFY_CODES[error.code] as ErrorCode);
    } else if (error instanceof SyntaxError) {
      known = new ParleyError('http:error:malformed-json');
    } else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      known = new ParleyError(STATUS_CODES[error.statusCode] ?? 'http:error:validation-fail', error.message);
    } else {
      request.log.error({ err: error }, 'unhandled error');
      known = new ParleyError('system:error:internal');
    }
    if (known.status === 429 && known.details.retry_after !== undefined) {
      void reply.header('retry-after', String(Math.ceil(known.details.retry_after)));
    }
    return reply.status(known.status).send(known.toBody());
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new ParleyError(
      'http:error:not-found',
      `No route ${request.method} ${request.url.split('?')[0]}`,
    );
    return reply.status(404).send(error.toBody());
  });
}
