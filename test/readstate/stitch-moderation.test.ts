import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import { serveStatic } from '../support/static-server.js';
import {
  appToken,
  startTestServer,
  userToken,
  type TestApp,
  type TestServer,
} from '../support/test-server.js';

const skip = chromiumSkipReason();
const stitchBundle = createRequire(import.meta.url).resolve('nexmo-stitch/dist/conversationClient.js');

/** A page driving the real nexmo-stitch bundle; each call answers `{ok}` or `{error: <code>}`. */
const PAGE = `<!DOCTYPE html><html><head><script src="/stitch.js"></script></head><body>
<script>
  const attempt = (promise) => promise.then((value) => ({ ok: value === undefined ? true : value }), (e) => ({ error: e && (e.type || e.code || e.message) }));
  window.start = async (url, token, cid) => {
    window.app = await new ConversationClient({ url }).login(token);
    window.conversation = await window.app.getConversation(cid);
    return true;
  };
  window.kick = (name) => {
    const member = [...window.conversation.members.values()].find((m) => m.user.name === name);
    return attempt(member.kick().then(() => undefined));
  };
  window.send = (text) => attempt(window.conversation.sendText(text).then((e) => e.id));
</script></body></html>`;

describe.skipIf(skip)('moderation from nexmo-stitch 3.0.1 in Chromium', () => {
  let server: TestServer;
  let app: TestApp;
  let cid: string;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  const members = new Map<string, string>();

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp('Simple Chat');
    const admin = await appToken(app);
    for (const name of ['John', 'Kevin', 'Larry']) {
      await server.call('POST', '/v1/users', { token: admin, body: { name } });
    }
    const john = await userToken(app, 'John');
    cid = (
      (await (await server.call('POST', '/v1/conversations', { token: john, body: {} })).json()) as {
        id: string;
      }
    ).id;
    for (const name of ['John', 'Kevin', 'Larry']) {
      const res = await server.call('POST', `/v1/conversations/${cid}/members`, {
        token: name === 'John' ? john : admin,
        body: { user: { name }, state: 'JOINED' },
      });
      members.set(name, ((await res.json()) as { id: string }).id);
    }
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

  /** Page errors carry the page's URL in their stack, which vitest cannot map to a file: keep the message. */
  const run = async <T>(page: Page, fn: string): Promise<T> => {
    try {
      return await page.evaluate(fn);
    } catch (error) {
      throw new Error((error as Error).message.split('\n')[0]);
    }
  };

  async function open(name: string): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(site.url);
    const token = await userToken(app, name);
    await run(
      page,
      `window.start(${JSON.stringify(server.url)}, ${JSON.stringify(token)}, ${JSON.stringify(cid)})`,
    );
    return page;
  }

  it("refuses a plain member's kick, removes a member the owner kicks, and refuses a muted member's send", async () => {
    const [john, larry, kevin] = [await open('John'), await open('Larry'), await open('Kevin')];
    expect(await run(larry, "window.kick('Kevin')")).toEqual({
      error: 'system:error:forbidden',
    });
    expect(await run(john, "window.kick('Kevin')")).toEqual({ ok: true });
    expect(await run(kevin, "window.send('let me back')")).toEqual({
      error: 'conversation:error:not-member',
    });

    const muted = await server.call('PATCH', `/v1/conversations/${cid}/members/${members.get('Larry')}`, {
      token: await userToken(app, 'John'),
      body: { muted: true },
    });
    expect(muted.status).toBe(200);
    expect(await run(larry, "window.send('can I talk?')")).toEqual({
      error: 'conversation:error:muted',
    });
    expect(await run(john, "window.send('the owner still can')")).toMatchObject({
      ok: expect.any(Number),
    });
  });
});
