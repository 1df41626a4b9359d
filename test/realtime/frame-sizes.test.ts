import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeClient, socketIoClient, type RawClient } from '../support/realtime-clients.js';
import { startTestServer, userToken, type TestApp, type TestServer } from '../support/test-server.js';

/** Pushed texts whose WebSocket frames use each length encoding (7-bit, 16-bit and 64-bit) arrive intact. */
describe('texts of every frame size', () => {
  let server: TestServer;
  let app: TestApp;
  let cid: string;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({ maxTextBytes: 100_000, maxFrameBytes: 128 * 1024 });
    app = await server.createApp();
    ({ cid } = await server.createRoom(app, ['wes', 'ivy']));
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  it('delivers each to native and /rtc receivers byte for byte', async () => {
    const sender = await nativeClient(server.url);
    const native = await nativeClient(server.url);
    const rtc = await socketIoClient(server.url);
    clients.push(sender, native, rtc);
    for (const [client, name] of [
      [sender, 'wes'],
      [native, 'ivy'],
      [rtc, 'ivy'],
    ] as const) {
      expect(
        (await client.request('session:login', { body: { token: await userToken(app, name) } })).type,
      ).toBe('session:success');
    }
    // Multi-byte characters make the frame length (in bytes) differ from the string length.
    const texts = [
      'hi',
      'é'.repeat(62),
      'ü'.repeat(63),
      'x'.repeat(125),
      'x'.repeat(126),
      '€'.repeat(21_845),
      'y'.repeat(70_000),
    ];
    for (const text of texts) {
      const ack = await sender.request('text', { cid, body: { text } });
      expect(ack.type).toBe('text:success');
      const id = (ack.body as { id: number }).id;
      for (const receiver of [sender, native, rtc]) {
        const pushed = await receiver.waitFor((m) => m.type === 'text' && m.id === id);
        expect((pushed.body as { text: string }).text).toBe(text);
      }
    }
  });
});
