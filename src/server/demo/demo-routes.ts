import { createPrivateKey } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { signToken } from '../../core/auth/sign-token.js';
import { TUTORIAL_ACL } from '../../core/auth/tutorial-acl.js';
import type { Domain } from '../../core/domain.js';
import { ParleyError } from '../../protocol/errors.js';
import { validate } from '../validate.js';
import { DEMO_USERS, type DemoState } from './demo-seed.js';

/** Demo tokens live an hour; the web app renews them before they expire. */
const DEMO_TOKEN_TTL_S = 60 * 60;

/**
 * Demo mode only: the tutorial's login box, made real. The server signs a short-lived token for a demo user
 * named in the request, so the web app can log in by name.
 */
export function demoRoutes(app: FastifyInstance, domain: Domain, demo: DemoState): void {
  const key = createPrivateKey(demo.privateKey);

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
    const token = signToken(
      key,
      { application_id: demo.applicationId, sub: user.name, acl: TUTORIAL_ACL },
      { now, ttlSeconds: DEMO_TOKEN_TTL_S },
    );
    return { token, expires_at: expiresAt, user_id: user.id, name: user.name };
  });
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
