import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import { TextEvent, type Conversation } from '../../src/client/index.js';
import { createClient, type TestClient } from '../client/helpers.js';
import { serveStatic } from '../support/static-server.js';
import { waitFor } from '../support/wait.js';
import { startTestServer, userToken, type TestApp, type TestServer } from '../support/test-server.js';

const skip = chromiumSkipReason();
const stitchBundle = createRequire(import.meta.url).resolve('nexmo-stitch/dist/conversationClient.js');

const PAGE = `<!DOCTYPE html><html><head><script src="/stitch.js"></script></head><body>
<script>
  window.received = [];
  window.start = async (url, token, cid) => {
    const app = await new ConversationClient({ url }).login(token);
    const conversation = await app.getConversation(cid);
    window.conversation = conversation;
    conversation.on('text', (sender, message) => {
      window.received.push({ id: message.id, from: sender.user.name, text: message.body.text });
    });
    return { me: app.me.name, member: conversation.me && conversation.me.id, history: [...conversation.events.values()].filter((e) => e.type === 'text').map((e) => e.body.text) };
  };
  window.send = async (text) => { const e = await window.conversation.sendText(text); return e.id; };
</script></body></html>`;

/** The real, unmodified nexmo-stitch 3.0.1 browser bundle in Chromium, talking to Parley's /rtc. */
describe.skipIf(skip)('nexmo-stitch 3.0.1 in Chromium against /rtc', () => {
  let server: TestServer;
  let app: TestApp;
  let cid: string;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let kevin: TestClient;
  let kevinConversation: Conversation;
  const atKevin: { id: number; from: string; text: string }[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp('Simple Chat');
    ({ cid } = await server.createRoom(app, ['John', 'Kevin'], { display_name: 'Old School Chat' }));
    site = await serveStatic({
      '/': { type: 'text/html', body: PAGE },
      '/stitch.js': { type: 'text/javascript', body: await readFile(stitchBundle) },
    });
    browser = await launchChromium();
    kevin = createClient(server.url);
    const kevinApp = await kevin.client.login(await userToken(app, 'Kevin'));
    kevinConversation = await kevinApp.getConversation(cid);
    kevinConversation.on('text', (sender, message) => {
      atKevin.push({ id: message.id, from: sender?.user.name ?? '?', text: String(message.body.text) });
    });
  });

  afterAll(async () => {
    await kevin?.client.logout();
    await browser?.close();
    await site?.close();
    await server?.stop();
  });

  const openJohn = async (): Promise<Page> => {
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(site.url);
    return page;
  };

  it('logs in, loads the conversation with history, and chats with a Parley SDK user', async () => {
    await kevinConversation.sendText('before John arrived');
    const page = await openJohn();
    const started = await page.evaluate(([url, token, c]) => (window as any).start(url, token, c), [
      server.url,
      await userToken(app, 'John'),
      cid,
    ] as const);
    expect(started.me).toBe('John');
    expect(started.member).toMatch(/^MEM-/);
    expect(started.history).toEqual(['before John arrived']);

    const id = await page.evaluate(() => (window as any).send('hello from stitch'));
    expect(typeof id).toBe('number');
    expect(await waitFor(() => atKevin.find((m) => m.id === id))).toEqual({
      id,
      from: 'John',
      text: 'hello from stitch',
    });

    const replyId = (await kevinConversation.sendText('hi John, from the native transport')).id;
    await page.waitForFunction(
      (rid) => (window as any).received.some((r: { id: number }) => r.id === rid),
      replyId,
    );
    const received = await page.evaluate(() => (window as any).received);
    expect(received).toEqual([
      { id, from: 'John', text: 'hello from stitch' },
      { id: replyId, from: 'Kevin', text: 'hi John, from the native transport' },
    ]);
    // The stitch SDK acknowledges delivery by itself; the Parley SDK user sees it.
    const johnsMember = started.member as string;
    await waitFor(() => {
      const event = kevinConversation.events.get(replyId);
      return event instanceof TextEvent && event.state.delivered_to[johnsMember];
    });
  });
});
