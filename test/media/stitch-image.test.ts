import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, ConversationEvent } from '../../src/client/index.js';
import { createClient, type TestClient } from '../client/helpers.js';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import { serveStatic } from '../support/static-server.js';
import { waitFor } from '../support/wait.js';
import { startTestServer, userToken, type TestApp, type TestServer } from '../support/test-server.js';
import { jpegWithGps } from './media-support.js';

const skip = chromiumSkipReason();
const stitchBundle = createRequire(import.meta.url).resolve('nexmo-stitch/dist/conversationClient.js');

/** Two Stitch pages share this: log in with `ips_url` pointed at Parley, record images and seen receipts. */
const PAGE = `<!DOCTYPE html><html><head><script src="/stitch.js"></script></head><body>
<script>
  window.images = [];
  window.seen = [];
  window.start = async (url, token, cid) => {
    const app = await new ConversationClient({ url, ips_url: url + '/v1/image', cache: false }).login(token);
    const conversation = await app.getConversation(cid);
    window.conversation = conversation;
    conversation.on('image', (sender, image) => {
      window.images.push({ id: image.id, from: sender.user.name, representations: image.body.representations });
      window.lastImage = image;
    });
    conversation.on('image:seen', (member, event) => window.seen.push({ by: member.id, event: event.id }));
    return conversation.me.id;
  };
  window.sendImage = async (base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const file = new File([bytes], 'photo.jpg', { type: 'image/jpeg' });
    const request = await window.conversation.sendImage(file);
    return new Promise((resolve) => request.addEventListener('loadend', () => resolve(request.status)));
  };
  window.fetchLast = async (type) => {
    const dataUrl = await window.lastImage.fetchImage(type);
    return dataUrl.slice('data:image/jpeg;base64,'.length);
  };
  window.markSeen = () => window.lastImage.seen();
</script></body></html>`;

interface SeenImage {
  id: number;
  from: string;
  representations: Record<string, { url: string; size: number; width: number }>;
}

/** Stitch's `sendImage` and `fetchImage`, unmodified, against Parley's `/v1/image` and `/v3/media`. */
describe.skipIf(skip)('nexmo-stitch 3.0.1 images in Chromium', () => {
  let server: TestServer;
  let app: TestApp;
  let cid: string;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let kevin: TestClient;
  let kevinConversation: Conversation;
  const atKevin: ConversationEvent[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp('Simple Chat');
    ({ cid } = await server.createRoom(app, ['John', 'Larry', 'Kevin']));
    // The page comes from another origin, so the upload and the fetch are cross-origin requests.
    site = await serveStatic({
      '/': { type: 'text/html', body: PAGE },
      '/stitch.js': { type: 'text/javascript', body: await readFile(stitchBundle) },
    });
    browser = await launchChromium();
    kevin = createClient(server.url);
    kevinConversation = await (await kevin.client.login(await userToken(app, 'Kevin'))).getConversation(cid);
    kevinConversation.on('event', (_sender, event) => atKevin.push(event));
  });

  afterAll(async () => {
    await kevin?.client.logout();
    await browser?.close();
    await site?.close();
    await server?.stop();
  });

  const open = async (name: string): Promise<{ page: Page; member: string }> => {
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(site.url);
    const member = await page.evaluate(
      ([url, token, c]) => (window as any).start(url, token, c) as Promise<string>,
      [server.url, await userToken(app, name), cid] as const,
    );
    return { page, member };
  };

  it('sends an image that another Stitch tab and a Parley SDK user receive, fetches it, and crosses the seen receipt', async () => {
    const john = await open('John');
    const larry = await open('Larry');
    const photo = await jpegWithGps(400, 300);

    const status = await john.page.evaluate(
      (b64) => (window as any).sendImage(b64) as Promise<number>,
      photo.toString('base64'),
    );
    expect(status).toBe(200);

    await larry.page.waitForFunction(() => (window as any).images.length === 1);
    const [image] = (await larry.page.evaluate(() => (window as any).images)) as SeenImage[];
    expect(image!.from).toBe('John');
    expect(image!.representations.original!.width).toBe(400);
    expect(image!.representations.thumbnail!.width).toBe(120);

    const atParley = await waitFor(() => atKevin.find((e) => e.type === 'image'));
    expect(atParley.id).toBe(image!.id);
    expect(atParley.body.representations).toEqual(image!.representations);

    // fetchImage sends Larry's token as a bearer header, cross-origin.
    const thumbnail = Buffer.from(
      await larry.page.evaluate(() => (window as any).fetchLast('thumbnail') as Promise<string>),
      'base64',
    );
    expect(thumbnail.length).toBe(image!.representations.thumbnail!.size);
    const meta = await sharp(thumbnail).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['jpeg', 120, 90, undefined]);

    await larry.page.evaluate(() => (window as any).markSeen());
    await john.page.waitForFunction(() => (window as any).seen.length === 1);
    expect(await john.page.evaluate(() => (window as any).seen)).toEqual([
      { by: larry.member, event: image!.id },
    ]);
    const seenAtKevin = await waitFor(() => atKevin.find((e) => e.type === 'image:seen'));
    expect(seenAtKevin.body.event_id).toBe(image!.id);
  });
});
