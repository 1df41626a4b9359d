import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason } from '../support/chromium.js';
import { sendMessage, startChatHarness, waitForMessages, type ChatHarness } from '../web/web-harness.js';

const item = (page: Page, title: string) =>
  page.locator('#conversation-list .conversation-item').filter({ hasText: title });

describe.skipIf(chromiumSkipReason())('unread badges in the web app', () => {
  let harness: ChatHarness;
  let john: Page;
  let kevin: Page;

  beforeAll(async () => {
    harness = await startChatHarness();
    john = await harness.loginAs('John');
    kevin = await harness.loginAs('Kevin');
  });

  afterAll(() => harness?.stop());

  it('shows unread messages of a conversation not open as a badge, and their total in the title', async () => {
    await john.locator('#new-conversation-name').fill('Side room');
    await john.locator('#new-conversation-name').press('Enter');
    // The composer is enabled already in the conversation John had open: wait for the new one to be shown.
    await expect.poll(() => john.locator('#conversation-title').textContent()).toBe('Side room');
    await john.locator('#composer:enabled').waitFor();
    await john.locator('#invite-name').fill('Kevin');
    await john.locator('#invite-submit').click();
    await expect
      .poll(() => item(kevin, 'Side room').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('INVITED');
    await item(kevin, 'Side room').locator('button[data-action="accept"]').click();
    await expect.poll(() => kevin.locator('#conversation-title').textContent()).toBe('Side room');
    await kevin.locator('#composer:enabled').waitFor();
    await item(kevin, 'Old School Chat').locator('.conversation-open').click();
    await expect.poll(() => kevin.locator('#conversation-title').textContent()).toBe('Old School Chat');

    await sendMessage(john, 'one');
    await sendMessage(john, 'two');
    await waitForMessages(john, 2);
    await expect
      .poll(() => item(kevin, 'Side room').locator('.conversation-unread').textContent(), { timeout: 10_000 })
      .toBe('2');
    await expect.poll(() => kevin.title()).toBe('(2) Parley chat');
  });
});
