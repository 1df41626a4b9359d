import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextEvent, type Conversation } from '../../src/client/index.js';
import { createClient, type TestClient } from '../client/helpers.js';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import { serveStatic } from '../support/static-server.js';
import { Inbox, successorToken, tutorialRoom } from '../support/successor.js';
import { startTestServer, type TestApp, type TestServer } from '../support/test-server.js';

const skip = chromiumSkipReason();
const resolve = createRequire(import.meta.url).resolve;
/** A package's folder, for bundles its `exports` do not list. */
const packageDir = (name: string): string => dirname(dirname(dirname(resolve(name))));

interface Line {
  id: number;
  from: string;
  text: string;
}

/**
 * Each page defines `start(url, token, cid)` → history, `send(text)` and collects `received` live lines
 * `{id, from, text}`; the SDKs are the real, unmodified browser bundles.
 */
const PAGES: Record<string, string> = {
  '/vonage.html': `<script src="/vonage.js"></script><script>
    window.received = [];
    const asLine = (e) => ({ id: e.id, from: e.from.user.name, text: e.body.text });
    window.start = async (url, token, cid) => {
      const client = new vonageClientSDK.VonageClient({ apiUrl: url, websocketUrl: url, loggingLevel: 'Error' });
      client.on('conversationEvent', (e) => { if (e.kind === 'message:text') window.received.push(asLine(e)); });
      await client.createSession(token);
      window.send = (text) => client.sendMessageTextEvent(cid, text);
      const page = await client.getConversationEvents(cid, { order: vonageClientSDK.PresentingOrder.ASC, pageSize: 100 });
      return page.events.filter((e) => e.kind === 'message:text').map(asLine);
    };
  </script>`,
  '/nexmo.html': `<script src="/nexmo.js"></script><script>
    window.received = [];
    const asLine = (sender, e) => ({ id: e.id, from: sender.userName, text: e.body.text });
    window.start = async (url, token, cid) => {
      const app = await new NexmoClient({ url, nexmo_api_url: url, debug: 'silent' }).createSession(token);
      const conversation = await app.getConversation(cid);
      conversation.on('message', (sender, e) => window.received.push(asLine(sender, e)));
      conversation.on('text', (sender, e) => window.received.push(asLine(sender, e)));
      window.send = (text) => conversation.sendMessage({ message_type: 'text', text });
      const page = await conversation.getEvents({ page_size: 100, order: 'asc' });
      return [...page.items.values()].filter((e) => e.body && e.body.text)
        .map((e) => ({ id: e.id, from: e._embedded.from_user.name, text: e.body.text }));
    };
  </script>`,
  '/stitch.html': `<script src="/stitch.js"></script><script>
    window.received = [];
    window.start = async (url, token, cid) => {
      const app = await new ConversationClient({ url, cache: false }).login(token);
      const conversation = await app.getConversation(cid);
      conversation.on('text', (sender, e) => window.received.push({ id: e.id, from: sender.user.name, text: e.body.text }));
      window.send = (text) => conversation.sendText(text);
      return [...conversation.events.values()].filter((e) => e.type === 'text')
        .map((e) => ({ id: e.id, from: conversation.members.get(e.from).user.name, text: e.body.text }));
    };
  </script>`,
};

/** One conversation, four clients at once: each sees every message once, in one order, with its sender. */
describe.skipIf(skip)(
  'a conversation shared by @vonage/client-sdk, nexmo-client, nexmo-stitch and Parley',
  () => {
    let server: TestServer;
    let app: TestApp;
    let cid: string;
    let browser: Browser;
    let site: Awaited<ReturnType<typeof serveStatic>>;
    let paula: TestClient;
    let paulaConversation: Conversation;
    const atPaula = new Inbox<Line>();
    const pages = new Map<string, Page>();

    beforeAll(async () => {
      server = await startTestServer();
      app = await server.createApp('Four clients');
      ({ cid } = await tutorialRoom(server, app, ['vera', 'nina', 'stan', 'paula']));
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
        '/stitch.js': {
          type: 'text/javascript',
          body: await readFile(resolve('nexmo-stitch/dist/conversationClient.js')),
        },
      });
      browser = await launchChromium();
      paula = createClient(server.url);
      const paulaApp = await paula.client.login(await successorToken(app, 'paula'));
      paulaConversation = await paulaApp.getConversation(cid);
      paulaConversation.on('text', (sender, message) => {
        if (message instanceof TextEvent)
          atPaula.push({ id: message.id, from: sender?.user.name ?? '?', text: String(message.body.text) });
      });
    }, 60_000);

    afterAll(async () => {
      await paula?.client.logout();
      await browser?.close();
      await site?.close();
      await server?.stop();
    });

    /** Opens the SDK's page as `user`; resolves with the history it loaded. */
    const open = async (sdk: string, user: string): Promise<Line[]> => {
      const page = await (await browser.newContext()).newPage();
      page.on('pageerror', (e) => console.error(`${sdk} page error:`, e.message));
      await page.goto(`${site.url}/${sdk}.html`);
      pages.set(sdk, page);
      const token = await successorToken(app, user);
      return page.evaluate(
        ([url, t, c]) =>
          (window as unknown as { start(...a: string[]): Promise<Line[]> }).start(url!, t!, c!),
        [server.url, token, cid],
      );
    };

    const receivedIn = (sdk: string, count: number): Promise<Line[]> =>
      pages
        .get(sdk)!
        .waitForFunction((n) => (window as unknown as { received: Line[] }).received.length >= n, count, {
          timeout: 15_000,
        })
        .then(() => pages.get(sdk)!.evaluate(() => (window as unknown as { received: Line[] }).received));

    const sendFrom = (sdk: string, text: string) =>
      pages
        .get(sdk)!
        .evaluate((t) => (window as unknown as { send(t: string): Promise<unknown> }).send(t), text);

    it('delivers every message to every client once, in the same order, with the sender, and in history', async () => {
      for (const [sdk, user] of [
        ['vonage', 'vera'],
        ['nexmo', 'nina'],
        ['stitch', 'stan'],
      ] as const)
        expect(await open(sdk, user)).toEqual([]);

      await sendFrom('vonage', 'hello from vera');
      await sendFrom('nexmo', 'hello from nina');
      await sendFrom('stitch', 'hello from stan');
      await paulaConversation.sendText('hello from paula');

      const expected = ['vera', 'nina', 'stan', 'paula'].map((name) => ({
        from: name,
        text: `hello from ${name}`,
      }));
      const views: Record<string, Line[]> = {};
      for (const sdk of ['vonage', 'nexmo', 'stitch']) views[sdk] = await receivedIn(sdk, 4);
      await atPaula.waitFor((l) => l.text === 'hello from paula', "paula's own line");
      views.parley = atPaula.items;
      const ids = views.parley.map((l) => l.id);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      for (const [sdk, lines] of Object.entries(views)) {
        expect(
          lines.map(({ from, text }) => ({ from, text })),
          sdk,
        ).toEqual(expected);
        expect(
          lines.map((l) => l.id),
          sdk,
        ).toEqual(ids);
      }

      // A reload: each client's history shows the same conversation.
      for (const page of pages.values()) await page.context().close();
      for (const [sdk, user] of [
        ['vonage', 'vera'],
        ['nexmo', 'nina'],
        ['stitch', 'stan'],
      ] as const) {
        const history = await open(sdk, user);
        expect(history, sdk).toEqual(views.parley.map((l) => ({ ...l })));
      }
    }, 90_000);
  },
);
