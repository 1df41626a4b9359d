import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumSkipReason } from '../support/chromium.js';
import { sendMessage, startChatHarness, waitForMessages, type ChatHarness } from './web-harness.js';

const PHONE = { width: 375, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

/** Whether the element is shown and lies fully inside the viewport horizontally. */
async function fitsWidth(page: Page, selector: string, width: number): Promise<boolean> {
  const box = await page.locator(selector).boundingBox();
  return box !== null && box.width > 0 && box.x >= 0 && box.x + box.width <= width;
}

describe.skipIf(chromiumSkipReason())('the chat on phones and desktops', () => {
  let harness: ChatHarness;

  beforeAll(async () => {
    harness = await startChatHarness();
    const kevin = await harness.loginAs('Kevin');
    await sendMessage(kevin, 'Morning! Did anyone try the new build on a phone yet?');
    await sendMessage(kevin, 'It should fit a 375 px screen without scrolling sideways.');
  });

  afterAll(() => harness?.stop());

  it('fits a 375 px phone: messages and composer visible, lists in a drawer', async () => {
    const page = await harness.loginAs('John', PHONE);
    await waitForMessages(page, 2);
    await sendMessage(
      page,
      'Looks good here!\nSecond line, to check wrapping of a longer message on a narrow screen.',
    );
    await waitForMessages(page, 3);

    expect(await page.locator('#messages').isVisible()).toBe(true);
    expect(await page.locator('#composer').isVisible()).toBe(true);
    expect(await fitsWidth(page, '#messages', PHONE.width)).toBe(true);
    expect(await fitsWidth(page, '#composer', PHONE.width)).toBe(true);
    expect(await fitsWidth(page, '#send', PHONE.width)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(await page.locator('#sidebar').isVisible()).toBe(false);
    await page.screenshot({ path: '/tmp/web-phone.png' });

    await page.locator('#drawer-toggle').click();
    expect(await page.locator('#conversation-list').isVisible()).toBe(true);
    expect(await page.locator('#members').isVisible()).toBe(true);
    await page.screenshot({ path: '/tmp/web-phone-drawer.png' });
    await page.keyboard.press('Escape');
    expect(await page.locator('#sidebar').isVisible()).toBe(false);
  });

  it('shows conversations, messages and members side by side on a desktop', async () => {
    const page = await harness.loginAs('Larry', DESKTOP);
    await waitForMessages(page, 3);
    await page.locator('#composer').fill('Typing a reply…');
    for (const id of ['#sidebar', '#messages', '#members-panel', '#composer']) {
      expect(await page.locator(id).isVisible(), id).toBe(true);
    }
    expect(await page.locator('#drawer-toggle').isVisible()).toBe(false);
    await page.screenshot({ path: '/tmp/web-desktop.png' });
  });
});
