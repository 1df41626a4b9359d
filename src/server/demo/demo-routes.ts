import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SignJWT, importPKCS8 } from 'jose';
import { z } from 'zod';
import type { Domain } from '../../core/domain.js';
import { ParleyError } from '../../protocol/errors.js';
import { validate } from '../validate.js';
import { DEMO_USERS, type DemoState } from './demo-seed.js';

/** Demo tokens live an hour; the web app renews them before they expire. */
const DEMO_TOKEN_TTL_S = 60 * 60;

/** The tutorial's user ACL. */
export const TUTORIAL_ACL = {
  paths: Object.fromEntries(
    [
      '/v1/users/**',
      '/v1/conversations/**',
      '/v1/sessions/**',
      '/v1/devices/**',
      '/v1/image/**',
      '/v3/media/**',
      '/v1/applications/**',
      '/v1/push/**',
      '/v1/knocking/**',
    ].map((p) => [p, {}]),
  ),
};

/**
 * Demo mode only: the tutorial's login box, made real. The server signs a short-lived token for a demo user
 * named in the request, so the web app can log in by name.
 */
export function demoRoutes(app: FastifyInstance, domain: Domain, demo: DemoState): void {
  const key = importPKCS8(demo.privateKey, 'RS256');

  app.get('/demo/config', () => ({
    users: DEMO_USERS,
    conversation_id: demo.conversationId,
    application_id: demo.applicationId,
  }));

  app.post('/demo/token', async (request) => {
    const { name } = validate(z.object({ name: z.string().trim().min(1).max(200) }), request.body ?? {});
    const user =
      (await domain.users.findByName(demo.applicationId, name)) ??
      (await domain.users.findByName(demo.applicationId, capitalise(name)));
    if (!user) throw new ParleyError('user:error:not-found', `There is no demo user named "${name}"`);
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = now + DEMO_TOKEN_TTL_S;
    const token = await new SignJWT({ application_id: demo.applicationId, sub: user.name, acl: TUTORIAL_ACL })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(expiresAt)
      .setJti(randomUUID())
      .sign(await key);
    return { token, expires_at: expiresAt, user_id: user.id, name: user.name };
  });
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
