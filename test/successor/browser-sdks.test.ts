import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import { serveStatic } from '../support/static-server.js';
import { successorToken, tutorialRoom } from '../support/successor.js';
import { startTestServer, type TestApp, type TestServer } from '../support/test-server.js';

const skip = chromiumSkipReason();
const resolve = createRequire(import.meta.url).resolve;
const packageDir = (name: string): string => dirname(dirname(dirname(resolve(name))));

/**
 * Each page drives one SDK through the chat flow: `start` logs in, lists and gets the conversation and sends;
 * `received` collects live texts; `pageHistory(n)` pages the whole history n at a time; `seen` and `logout`.
 */
const PAGES: Record<string, string> = {
  '/vonage.html': `<script src="/vonage.js"></script><script>
    window.received = [];
    const V = vonageClientSDK;
    window.start = async (url, token, cid) => {
      const client = window.client = new V.VonageClient({ apiUrl: url, websocketUrl: url, loggingLevel: 'Error' });
      client.on('conversationEvent', (e) => { if (e.kind === 'message:text') window.received.push({ id: e.id, from: e.from.user.name, text: e.body.text }); });
      const session = await client.createSession(token);
      const list = await client.getConversations({ order: V.PresentingOrder.ASC, pageSize: 10 });
      const conversation = await client.getConversation(cid);
      await client.sendMessageTextEvent(cid, 'hello from the vonage page');
      return { session, listed: list.conversations.map((c) => c.id), name: conversation.name };
    };
    window.pageHistory = async (cid, pageSize) => {
      const texts = []; let cursor = null; let pages = 0;
      do {
        const page = await window.client.getConversationEvents(cid, { order: V.PresentingOrder.ASC, pageSize, cursor });
        texts.push(...page.events.filter((e) => e.kind === 'message:text').map((e) => e.body.text));
        cursor = page.nextCursor; pages++;
      } while (cursor);
      return { texts, pages };
    };
    window.seen = (cid, id) => window.client.sendMessageSeenEvent(id, cid);
    window.logout = () => window.client.deleteSession();
  </script>`,
  '/nexmo.html': `<script src="/nexmo.js"></script><script>
    window.received = [];
    window.start = async (url, token, cid) => {
      const client = window.client = new NexmoClient({ url, nexmo_api_url: url, debug: 'silent' });
      const app = await client.createSession(token);
      const list = await app.getConversations({ page_size: 10 });
      const conversation = window.conversation = await app.getConversation(cid);
      const heard = (sender, e) => window.received.push({ id: e.id, from: sender.userName, text: e.body.text, event: undefined });
      conversation.on('message', heard);
      conversation.on('text', heard);
      window.events = conversation.events;
      await conversation.sendText('hello from the nexmo page');
      return { session: client.session_id, listed: [...list.items.keys()], name: conversation.name };
    };
    window.pageHistory = async (cid, pageSize) => {
      const texts = []; let pages = 1;
      let page = await window.conversation.getEvents({ page_size: pageSize, order: 'asc' });
      for (;;) {
        for (const e of page.items.values()) if (e.body && e.body.text) texts.push(e.body.text);
        if (!page.hasNext()) break;
        page = await page.getNext(); pages++;
      }
      return { texts, pages };
    };
    window.seen = (cid, id) => window.conversation.events.get(id).seen();
    window.logout = () => window.client.deleteSession();
  </script>`,
};

type PageApi = {
  start(
    url: string,
    token: string,
    cid: string,
  ): Promise<{ session: string; listed: string[]; name: string }>;
  pageHistory(cid: string, pageSize: number): Promise<{ texts: string[]; pages: number }>;
  seen(cid: string, id: number): Promise<unknown>;
  logout(): Promise<unknown>;
  received: { id: number; from: string; text: string }[];
};

/** The real browser bundles of both successor SDKs in Chromium, served from another origin than Parley. */
describe.skipIf(skip)('successor SDK bundles in Chromium', () => {
  let server: TestServer;
  let app: TestApp;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof serveStatic>>;

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp('Browser SDKs');
    const html = (script: string) => ({
      type: 'text/html',
      body: `<!DOCTYPE html><html><body>${script}</body></html>`,
    });
    site = await serveStatic({
      ...Object.fromEntries(Object.entries(PAGES).map(([path, script]) => [path, html(script)])),
      '/vonage.js': {
        type: 'text/javascript',
        body: await readFile(join(packageDir('@vonage/client-sdk'), 'dist/vonageClientSDK.js')),
      },
      '/nexmo.js': {
        type: 'text/javascript',
        body: await readFile(resolve('nexmo-client/dist/nexmoClient.js')),
      },
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.stop();
  });

  for (const sdk of ['vonage', 'nexmo'] as const) {
    it(`${sdk}: logs in, lists, gets, sends, hears another user live, pages history, sees, logs out`, async () => {
      const { cid } = await tutorialRoom(server, app, [`${sdk}-user`, `${sdk}-bob`]);
      const page: Page = await (await browser.newContext()).newPage();
      page.on('pageerror', (e) => console.error(`${sdk} page error:`, e.message));
      await page.goto(`${site.url}/${sdk}.html`);
      const token = await successorToken(app, `${sdk}-user`);
      const started = await page.evaluate(
        ([url, t, c]) => (window as unknown as PageApi).start(url!, t!, c!),
        [server.url, token, cid],
      );
      expect(started.session).toMatch(/^SESSION-/);
      expect(started.listed).toEqual([cid]);
      expect(started.name).toMatch(/^NAM-/);

      const bobToken = await successorToken(app, `${sdk}-bob`);
      for (const text of ['one from bob', 'two from bob', 'three from bob']) {
        const res = await server.call('POST', `/v1/conversations/${cid}/events`, {
          token: bobToken,
          body: { type: 'text', body: { text } },
        });
        expect(res.status).toBe(201);
      }
      await page.waitForFunction(() =>
        (window as unknown as PageApi).received.some((r) => r.text === 'three from bob'),
      );
      const received = await page.evaluate(() => (window as unknown as PageApi).received);
      expect(received.map((r) => [r.from, r.text])).toEqual([
        [`${sdk}-user`, `hello from the ${sdk} page`],
        [`${sdk}-bob`, 'one from bob'],
        [`${sdk}-bob`, 'two from bob'],
        [`${sdk}-bob`, 'three from bob'],
      ]);

      const history = await page.evaluate(([c]) => (window as unknown as PageApi).pageHistory(c!, 2), [cid]);
      expect(history.texts).toEqual(received.map((r) => r.text));
      expect(history.pages).toBeGreaterThan(2);

      const last = received.at(-1)!.id;
      await page.evaluate(
        ([c, id]) => (window as unknown as PageApi).seen(c as string, id as number),
        [cid, last],
      );
      const receipts = await server.call('GET', `/v1/conversations/${cid}/events?page_size=100`, {
        token: bobToken,
      });
      const events = (
        (await receipts.json()) as { _embedded: { type: string; body: { event_id: number } }[] }
      )._embedded;
      const seen = events.filter((e) => e.type.endsWith(':seen'));
      expect(seen.map((e) => e.body.event_id)).toEqual([last]);

      await page.evaluate(() => (window as unknown as PageApi).logout());
      await page.context().close();
    }, 60_000);
  }
});
