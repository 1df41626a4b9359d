import type { FastifyInstance } from 'fastify';
import type { Domain } from '../../../core/domain.js';
import { BETA2_DIALECT, BETA_DIALECT } from './beta-dialect.js';
import { dialectRoutes } from './dialect-routes.js';
import type { SuccessorOptions } from './successor-options.js';
import { V02_DIALECT, V03_DIALECT } from './v3-dialect.js';

/** The REST dialects of nexmo-client 9 and @vonage/client-sdk 2: `/v0.3`, `/v0.2`, `/beta`, `/beta2`. */
export function successorRoutes(app: FastifyInstance, domain: Domain, options: SuccessorOptions): void {
  for (const dialect of [V03_DIALECT, V02_DIALECT, BETA_DIALECT, BETA2_DIALECT])
    dialectRoutes(app, domain, dialect, options);
}
