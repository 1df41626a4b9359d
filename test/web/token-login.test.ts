import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason } from '../support/chromium.js';
import { appToken, signToken, userToken, type TestApp } from '../support/test-server.js';
import { sendMessage, startChatHarness, waitForMessages, type ChatHarness } from './web-harness.js';

describe.skipIf(chromiumSkipReason())('logging in with a token when the server is not in demo mode', () => {
  let harness: ChatHarness;
  let app: TestApp;

  beforeAll(async () => {
    harness = await startChatHarness({ demo: false });
    app = await harness.server.createApp('Token Chat');
    const admin = await appToken(app);
    const res = await harness.server.call('POST', '/v1/users', { token: admin, body: { name: 'alice' } });
    expect(res.status).toBe(201);
  });

  afterAll(() => harness?.stop());

  it('asks for a JWT instead of a name', async () => {
    const page = await harness.openPage();
    await page.locator('#token-input').waitFor();
    expect(await page.locator('#login-name').isVisible()).toBe(false);
    expect(await page.locator('#demo-users button').count()).toBe(0);
  });

  it('explains a refused token in the server’s words', async () => {
    const page = await harness.openPage();
    const expired = await signToken(app, { sub: 'alice', exp: Math.floor(Date.now() / 1000) - 60 });
    await page.locator('#token-input').fill(expired);
    await page.locator('#login-submit').click();
    await expect.poll(() => page.locator('#error').textContent()).toBe('The token has expired.');
    expect(await page.locator('#login').isVisible()).toBe(true);
  });

  it('logs in with a pasted token, then creates a conversation and chats in it', async () => {
    const page = await harness.openPage();
    await page.locator('#token-input').fill(await userToken(app, 'alice'));
    await page.locator('#login-submit').click();
    await page.waitForFunction(() => document.getElementById('logged-in-as')?.textContent === 'alice');
    expect(await page.locator('#conversation-list').textContent()).toContain('No conversations yet.');

    await page.locator('#new-conversation-name').fill('Notes to self');
    await page.locator('#new-conversation-submit').click();
    await page.locator('#composer:enabled').waitFor();
    await sendMessage(page, 'remember the milk');
    expect(await waitForMessages(page, 1)).toEqual(['remember the milk']);
  });
});
