import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason } from '../support/chromium.js';
import { startChatHarness, type ChatHarness } from './web-harness.js';

describe.skipIf(chromiumSkipReason())('logging in to the demo', () => {
  let harness: ChatHarness;

  beforeAll(async () => {
    harness = await startChatHarness();
  });

  afterAll(() => harness?.stop());

  it('offers a button for each demo user', async () => {
    const page = await harness.openPage();
    await page.locator('#login').waitFor();
    const users = await page.locator('#demo-users button').evaluateAll((b) => b.map((n) => n.dataset.user));
    expect(users).toEqual(['John', 'Kevin', 'Larry']);
    await page.locator('#demo-users button[data-user="Kevin"]').click();
    await expect.poll(() => page.locator('#logged-in-as').textContent()).toBe('Kevin');
  });

  it('says so clearly when the name is not a user', async () => {
    const page = await harness.openPage();
    await page.locator('#login-name').fill('Mallory');
    await page.locator('#login-submit').click();
    await expect.poll(() => page.locator('#error').textContent()).toContain('no user called “Mallory”');
    expect(await page.locator('#login').isVisible()).toBe(true);
  });

  it('goes back to the login box on logout', async () => {
    const page = await harness.loginAs('John');
    await page.locator('#logout').click();
    await page.locator('#login').waitFor();
    expect(await page.locator('#chat-view').isVisible()).toBe(false);
  });
});
