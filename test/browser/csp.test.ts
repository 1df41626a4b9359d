import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const skip = chromiumSkipReason();

describe.skipIf(skip)("the web app's content security policy, in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer({ demo: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('blocks inline script and inline event handlers injected into the page', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    const violations = await page.evaluate(async () => {
      const seen: string[] = [];
      // Both injections are reported once blocked: the script, and the one image handler that would fire.
      const bothReported = new Promise<void>((resolve) =>
        document.addEventListener('securitypolicyviolation', (e) => {
          seen.push(e.violatedDirective);
          if (seen.length === 2) resolve();
        }),
      );
      const script = document.createElement('script');
      script.textContent = 'window.__inline = 1';
      document.head.appendChild(script);
      const img = document.createElement('img');
      img.setAttribute('src', 'data:,');
      img.setAttribute('onerror', 'window.__handler = 1');
      img.setAttribute('onload', 'window.__handler = 1');
      document.body.appendChild(img);
      await bothReported;
      return seen;
    });
    expect(
      await page.evaluate(() => (window as unknown as Record<string, unknown>).__inline),
    ).toBeUndefined();
    expect(
      await page.evaluate(() => (window as unknown as Record<string, unknown>).__handler),
    ).toBeUndefined();
    expect(violations.some((v) => v.startsWith('script-src'))).toBe(true);
  });
});
