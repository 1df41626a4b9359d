import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import { outsideFileSkipReason } from '../support/outside-file.js';
import { serveStatic } from '../support/static-server.js';
import { startTestServer, userToken, type TestServer } from '../support/test-server.js';

const TUTORIAL = join(import.meta.dirname, '..', '..', '..', 'shared', 'seed', 'simple-chat-tutorial.md');
const skip = chromiumSkipReason() ?? outsideFileSkipReason(TUTORIAL, "the tutorial's page");

/** The tutorial's own page, read from the tutorial at run time, with only its script src pointed at Parley. */
async function tutorialPage(sdkUrl: string, tokens: string[], cid: string): Promise<string> {
  const markdown = await readFile(TUTORIAL, 'utf8');
  const html = /``` html\n([\s\S]*?)```/.exec(markdown)?.[1];
  if (!html) throw new Error('the tutorial has no html block');
  return html
    .replace('./node_modules/nexmo-stitch/dist/conversationClient.js', sdkUrl)
    .replace(/const USER_JWT = '[^']*';/, `const USER_JWT = '${tokens[0]}';`)
    .replace(/const USER2_JWT = '[^']*';/, `const USER2_JWT = '${tokens[1]}';`)
    .replace(/const USER3_JWT = '[^']*';/, `const USER3_JWT = '${tokens[2]}';`)
    .replace(/const YOUR_CONVERSATION_ID = '[^']*';/, `const YOUR_CONVERSATION_ID = '${cid}';`);
}

describe.skipIf(skip)("the tutorial's page with Parley's SDK, in three Chromium tabs", () => {
  let server: TestServer;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof serveStatic>>;

  beforeAll(async () => {
    server = await startTestServer();
    const app = await server.createApp('Simple Chat');
    const names = ['John', 'Kevin', 'Larry'];
    const { cid } = await server.createRoom(app, names, { display_name: 'Old School Chat' });
    const tokens = await Promise.all(names.map((n) => userToken(app, n)));
    site = await serveStatic({
      '/': {
        type: 'text/html',
        body: await tutorialPage(`${server.url}/sdk/conversationClient.js`, tokens, cid),
      },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.stop();
  });

  const open = async (name: string): Promise<Page> => {
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.text().startsWith('errorLogger')) errors.push(m.text());
    });
    await page.goto(site.url);
    // The page logs its conversation once getConversation resolves, and binds its text handler in the same
    // turn: that log line is the page's only sign that it is ready to show messages.
    const ready = page.waitForEvent('console', {
      predicate: (m) => m.text().startsWith('*** Conversation Member'),
    });
    await page.fill('#login input[name=username]', name.toLowerCase());
    await page.click('#login input[type=submit]');
    await page.waitForFunction((n) => document.getElementById('logged-in-as')?.textContent === n, name);
    await ready;
    Object.assign(page, { errors });
    return page;
  };

  it('logs the three users in and they chat', async () => {
    const pages = [await open('John'), await open('Kevin'), await open('Larry')];
    const lines = ['Hello from John', 'Kevin here', 'Larry says hi'];
    for (const [i, page] of pages.entries()) {
      await page.fill('#messageTextarea', lines[i]!);
      await page.click('#send');
      await page.waitForFunction(
        () => (document.getElementById('messageTextarea') as HTMLTextAreaElement).value === '',
      );
    }
    for (const page of pages) {
      await page.waitForFunction(
        (n) => (document.getElementById('messageFeed')?.querySelectorAll('b').length ?? 0) >= n,
        lines.length,
      );
      const feed = await page.$$eval('#messageFeed b', (bs) => bs.map((b) => b.textContent));
      // The page prepends each message: newest first.
      expect(feed).toEqual([...lines].reverse());
      const text = await page.textContent('#messageFeed');
      for (const name of ['John', 'Kevin', 'Larry']) expect(text).toContain(`${name} @ `);
      expect((page as unknown as { errors: string[] }).errors).toEqual([]);
    }
  });
});
