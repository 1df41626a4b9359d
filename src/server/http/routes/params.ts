import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { eventIdSchema } from '../schemas.js';
import { validate } from '../../validate.js';

const id = z.string().min(1).max(100);

export const idParams = (request: FastifyRequest) => validate(z.object({ id }), request.params, 'path');

export const conversationParams = (request: FastifyRequest) =>
  validate(z.object({ cid: id }), request.params, 'path');

export const memberParams = (request: FastifyRequest) =>
  validate(z.object({ cid: id, mid: id }), request.params, 'path');

export const banParams = (request: FastifyRequest) =>
  validate(z.object({ cid: id, uid: id }), request.params, 'path');

export const eventParams = (request: FastifyRequest) =>
  validate(z.object({ cid: id, eid: eventIdSchema }), request.params, 'path');
