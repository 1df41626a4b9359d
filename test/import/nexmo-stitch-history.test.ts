import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import { serveStatic } from '../support/static-server.js';
import { startTestServer, userToken, type TestServer } from '../support/test-server.js';
import { FIXTURE, fixtureLines, importDump } from './dump-client.js';

const skip = chromiumSkipReason();
const stitchBundle = createRequire(import.meta.url).resolve('nexmo-stitch/dist/conversationClient.js');

const PAGE = `<!DOCTYPE html><html><head><script src="/stitch.js"></script></head><body>
<script>
  window.start = async (url, token, cid) => {
    const app = await new ConversationClient({ url }).login(token);
    window.conversation = await app.getConversation(cid);
    const events = await window.conversation.getEvents();
    return [...events.values()].map((e) => ({ id: e.id, type: e.type, timestamp: e.timestamp, text: e.body && e.body.text }));
  };
  window.send = async (text) => (await window.conversation.sendText(text)).id;
</script></body></html>`;

/** The real nexmo-stitch 3.0.1 bundle in Chromium, reading history imported from a Vonage dump. */
describe.skipIf(skip)('imported history through nexmo-stitch 3.0.1', () => {
  let server: TestServer;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof serveStatic>>;

  beforeAll(async () => {
    server = await startTestServer();
    site = await serveStatic({
      '/': { type: 'text/html', body: PAGE },
      '/stitch.js': { type: 'text/javascript', body: await readFile(stitchBundle) },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.stop();
  });

  it('shows the same ids, texts, order and timestamps, and the next text takes id 51', async () => {
    const app = await server.createApp('Migrated');
    await importDump(server, app.id, await readFile(FIXTURE, 'utf8'));
    const lines = await fixtureLines();
    const cid = lines.find((line) => line.kind === 'conversation')!.id;
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(site.url);
    const shown = await page.evaluate(([url, token, c]) => (window as any).start(url, token, c), [
      server.url,
      await userToken(app, 'alice'),
      cid,
    ] as const);
    const texts = lines.filter((line) => line.kind === 'event' && line.type === 'text' && !line.deleted);
    const shownTexts = shown.filter((e: { type: string; text?: string }) => e.type === 'text' && e.text);
    expect(shownTexts).toEqual(
      texts.map((e) => ({ id: e.id, type: 'text', timestamp: e.timestamp, text: e.body.text })),
    );
    expect(await page.evaluate(() => (window as any).send('hello from stitch, after the move'))).toBe(51);
  });
});
