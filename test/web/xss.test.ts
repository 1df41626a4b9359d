import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason } from '../support/chromium.js';
import { sendMessage, startChatHarness, waitForMessages, type ChatHarness } from './web-harness.js';

const PAYLOADS = ['<img src=x onerror=window.__xss=1>', '<script>window.__xss=1</script>'];
const MARKUP_NAME = '<b>bold</b><img src=y onerror="window.__xss=1">';

describe.skipIf(chromiumSkipReason())('text from other people is never treated as HTML', () => {
  let harness: ChatHarness;

  beforeAll(async () => {
    harness = await startChatHarness();
  });

  afterAll(() => harness?.stop());

  it('shows markup in messages as the literal characters, and runs none of it', async () => {
    const john = await harness.loginAs('John');
    const kevin = await harness.loginAs('Kevin');
    for (const payload of PAYLOADS) await sendMessage(john, payload);

    for (const page of [john, kevin]) {
      expect(await waitForMessages(page, PAYLOADS.length)).toEqual(PAYLOADS);
      expect(await page.locator('#messages img, #messages script').count()).toBe(0);
      expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
    }
  });

  it('shows markup in a conversation name as the literal characters', async () => {
    const larry = await harness.loginAs('Larry');
    await larry.locator('#new-conversation-name').fill(MARKUP_NAME);
    await larry.locator('#new-conversation-submit').click();

    await expect.poll(() => larry.locator('#conversation-title').textContent()).toBe(MARKUP_NAME);
    const names = await larry.locator('#conversation-list .conversation-name').allTextContents();
    expect(names).toContain(MARKUP_NAME);
    expect(await larry.locator('#conversation-list b, #conversation-list img').count()).toBe(0);
    await sendMessage(larry, PAYLOADS[0]!);
    expect(await waitForMessages(larry, 1)).toEqual([PAYLOADS[0]]);
    expect(await larry.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
  });
});
