import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason } from '../support/chromium.js';
import { sendMessage, startChatHarness, waitForMessages, type ChatHarness } from './web-harness.js';

const item = (page: Page, title: string) =>
  page.locator('#conversation-list .conversation-item').filter({ hasText: title });

describe.skipIf(chromiumSkipReason())('managing conversations', () => {
  let harness: ChatHarness;
  let john: Page;
  let kevin: Page;

  beforeAll(async () => {
    harness = await startChatHarness();
    john = await harness.loginAs('John');
    kevin = await harness.loginAs('Kevin');
  });

  afterAll(() => harness?.stop());

  it('lists the demo conversation as joined', async () => {
    expect(await item(john, 'Old School Chat').getAttribute('data-state')).toBe('JOINED');
    expect(await item(john, 'Old School Chat').getAttribute('aria-current')).toBe('true');
  });

  it('creates a conversation, joins it and opens it', async () => {
    await john.locator('#new-conversation-name').fill('Lunch plans');
    await john.locator('#new-conversation-name').press('Enter');
    await expect.poll(() => john.locator('#conversation-title').textContent()).toBe('Lunch plans');
    await john.locator('#composer:enabled').waitFor();
    expect(await item(john, 'Lunch plans').getAttribute('data-state')).toBe('JOINED');
    expect(await john.locator('#members .member').count()).toBe(1);
    await sendMessage(john, 'Pizza or noodles?');
    await waitForMessages(john, 1);
  });

  it('invites someone, who sees the invitation and accepts it', async () => {
    await john.locator('#invite-name').fill('Kevin');
    await john.locator('#invite-submit').click();
    await expect.poll(() => john.locator('#members .member').count()).toBe(2);

    await expect
      .poll(() => item(kevin, 'Lunch plans').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('INVITED');
    await item(kevin, 'Lunch plans').locator('button[data-action="accept"]').click();
    await expect.poll(() => kevin.locator('#conversation-title').textContent()).toBe('Lunch plans');
    await kevin.locator('#composer:enabled').waitFor();
    expect(await waitForMessages(kevin, 1)).toEqual(['Pizza or noodles?']);
    await sendMessage(kevin, 'Noodles');
    expect(await waitForMessages(john, 2)).toEqual(['Pizza or noodles?', 'Noodles']);
    await expect
      .poll(() => john.locator('#members .member[data-online="true"]').count(), { timeout: 10_000 })
      .toBe(2);
  });

  it('leaves a conversation: the composer closes and the others see them go', async () => {
    await item(kevin, 'Lunch plans').locator('button[data-action="leave"]').click();
    await expect.poll(() => item(kevin, 'Lunch plans').getAttribute('data-state')).toBe('LEFT');
    await kevin.locator('#composer:disabled').waitFor();
    await expect.poll(() => john.locator('#members .member').count(), { timeout: 10_000 }).toBe(1);

    await item(kevin, 'Lunch plans').locator('button[data-action="join"]').click();
    await kevin.locator('#composer:enabled').waitFor();
    await expect.poll(() => john.locator('#members .member').count(), { timeout: 10_000 }).toBe(2);
  });

  it('deletes your own message for everyone', async () => {
    john.once('dialog', (dialog) => void dialog.accept());
    const first = john.locator('#messages .message').first();
    await first.locator('.message-delete').click();
    for (const page of [john, kevin]) {
      const message = page.locator('#messages .message').first();
      await expect.poll(() => message.locator('.message-text').textContent()).toBe('message deleted');
      expect(await message.getAttribute('class')).toContain('message--deleted');
    }
    expect(await first.locator('.message-delete').count()).toBe(0);
  });
});
