import type { Principal } from '../../core/auth/principal.js';
import type { Domain } from '../../core/domain.js';

export const DEMO_USERS = ['John', 'Kevin', 'Larry'] as const;
const SETTING = 'demo';

export interface DemoState {
  applicationId: string;
  conversationId: string;
  /** The demo application's private key; demo mode signs user tokens with it. */
  privateKey: string;
}

/**
 * Creates the tutorial's world once: the application "Simple Chat", the conversation "Old School Chat" and
 * John, Kevin and Larry as joined members. Later starts find it in the store and reuse it.
 */
export async function seedDemo(domain: Domain): Promise<DemoState> {
  const saved = await domain.settings.get(SETTING);
  if (saved) {
    const state = JSON.parse(saved) as DemoState;
    if (await domain.applications.find(state.applicationId)) return state;
  }
  const { application, privateKey } = await domain.applications.create({
    name: 'Simple Chat',
    answerUrl: 'https://example.com/webhooks/answer',
    eventUrl: 'https://example.com/webhooks/event',
  });
  if (privateKey === undefined) throw new Error('the demo application needs a generated key pair');
  const asApp: Principal = { application, user: null, acl: null, expiresAt: Number.MAX_SAFE_INTEGER };
  const conversation = await domain.conversations.create(asApp, { displayName: 'Old School Chat' });
  for (const name of DEMO_USERS) {
    const user = await domain.users.create(asApp, { name });
    await domain.members.create(asApp, conversation.id, { user: { id: user.id }, state: 'JOINED' });
  }
  const state: DemoState = { applicationId: application.id, conversationId: conversation.id, privateKey };
  await domain.settings.put(SETTING, JSON.stringify(state));
  return state;
}
