import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason } from '../support/chromium.js';
import { startChatHarness, waitForMessages, type ChatHarness } from './web-harness.js';

describe.skipIf(chromiumSkipReason())('the message composer', () => {
  let harness: ChatHarness;

  beforeAll(async () => {
    harness = await startChatHarness();
  });

  afterAll(() => harness?.stop());

  it('keeps Send disabled while the box is empty or blank', async () => {
    const page = await harness.loginAs('John');
    const composer = page.locator('#composer');
    expect(await page.locator('#send').isDisabled()).toBe(true);
    await composer.fill('   ');
    expect(await page.locator('#send').isDisabled()).toBe(true);
    await composer.fill('x');
    expect(await page.locator('#send').isEnabled()).toBe(true);
    await composer.fill('');
  });

  it('starts a new line on Shift+Enter and sends on Enter', async () => {
    const page = await harness.loginAs('Kevin');
    const composer = page.locator('#composer');
    await composer.focus();
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    expect(await composer.inputValue()).toBe('first line\nsecond line');
    expect(await page.locator('#messages .message').count()).toBe(0);

    await page.keyboard.press('Enter');
    expect(await waitForMessages(page, 1)).toEqual(['first line\nsecond line']);
    expect(await composer.inputValue()).toBe('');
    expect(await page.locator('#send').isDisabled()).toBe(true);
    const sender = await page.locator('#messages .message .message-sender').textContent();
    expect(sender).toBe('Kevin');
  });

  it('sends with the Send button too, and keeps focus in the box', async () => {
    const page = await harness.loginAs('Larry');
    await page.locator('#composer').fill('by button');
    await page.locator('#send').click();
    const texts = await waitForMessages(page, 2);
    expect(texts[1]).toBe('by button');
  });
});
