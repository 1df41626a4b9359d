import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../src/protocol/realtime.js';
import { chromiumSkipReason } from '../support/chromium.js';
import { sendMessage, startChatHarness, waitForMessages, type ChatHarness } from './web-harness.js';

declare global {
  interface Window {
    __banner?: string[];
  }
}

describe.skipIf(chromiumSkipReason())('staying connected', () => {
  let harness: ChatHarness;

  beforeAll(async () => {
    harness = await startChatHarness();
  });

  afterAll(() => harness?.stop());

  it('shows "Reconnecting…" while the connection is down, and catches up afterwards', async () => {
    const john = await harness.loginAs('John');
    const kevin = await harness.loginAs('Kevin');
    // Record every change of the banner: the reconnect may take only a moment.
    await john.evaluate(() => {
      const banner = document.getElementById('banner')!;
      window.__banner = [];
      new MutationObserver(() =>
        window.__banner!.push(banner.hidden ? 'hidden' : (banner.textContent ?? '')),
      ).observe(banner, { attributes: true, childList: true, characterData: true, subtree: true });
    });

    const johnsUserId = await harness.server.domain.users
      .findByName(harness.server.demo!.applicationId, 'John')
      .then((u) => u!.id);
    for (const session of harness.server.hub.allSessions()) {
      if (session.userId === johnsUserId) session.connection.close(CLOSE_CODES.restart, 'test: restart');
    }
    await sendMessage(kevin, 'sent while John was away');

    await expect
      .poll(() => john.evaluate(() => window.__banner), { timeout: 10_000 })
      .toContain('Reconnecting…');
    await expect.poll(() => john.locator('#banner').isHidden(), { timeout: 15_000 }).toBe(true);
    expect(await waitForMessages(john, 1)).toEqual(['sent while John was away']);
    await sendMessage(john, 'back again');
    expect(await waitForMessages(kevin, 2)).toEqual(['sent while John was away', 'back again']);
  });

  it('renews the demo token a minute before it expires', async () => {
    const page = await harness.openPage();
    await page.clock.install();
    await page.reload();
    const isTokenRequest = (r: { url(): string; method(): string }) =>
      r.url().endsWith('/demo/token') && r.method() === 'POST';
    const granted = page.waitForResponse((r) => isTokenRequest(r.request()));
    await page.locator('#login-name').fill('Larry');
    await page.locator('#login-submit').click();
    const { expires_at: expiresAt } = (await (await granted).json()) as { expires_at: number };
    await page.locator('#composer:enabled').waitFor();

    let renewals = 0;
    page.on('request', (r) => (renewals += isTokenRequest(r) ? 1 : 0));
    const renewal = page.waitForRequest(isTokenRequest);
    const dueInMs = expiresAt * 1000 - (await page.evaluate(() => Date.now())) - 60_000;
    await page.clock.fastForward(dueInMs - 5_000);
    expect(renewals, 'no renewal before a minute ahead of expiry').toBe(0);
    await page.clock.fastForward(10_000);
    await renewal;
    await page.clock.resume();
    await sendMessage(page, 'still here after renewing');
    expect((await waitForMessages(page, 3)).at(-1)).toBe('still here after renewing');
    expect(await page.locator('#error').textContent()).toBe('');
  });
});
