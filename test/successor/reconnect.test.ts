import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cuttableProxy } from '../support/cuttable-proxy.js';
import { nexmoClient, type NexmoEvent } from '../support/nexmo-client.js';
import { Inbox, successorToken, tutorialRoom } from '../support/successor.js';
import { startTestServer, type TestApp, type TestServer } from '../support/test-server.js';
import { vonageClientAt, type VonageClientApi } from '../support/vonage-client.js';
import { installXhrShim } from '../support/xhr-shim.js';

interface ChatEvent {
  kind: string;
  id: number;
  body: { text?: string };
}

/** A successor client cut off for a few seconds while others send gets every missed message once, in order. */
describe('successor SDKs reconnecting to /v2/rtc', () => {
  let server: TestServer;
  let app: TestApp;
  let cid: string;
  let uninstall: () => void;

  beforeAll(async () => {
    uninstall = installXhrShim();
    server = await startTestServer();
    app = await server.createApp('reconnect');
    ({ cid } = await tutorialRoom(server, app, ['alice', 'carol', 'bob']));
  });
  afterAll(async () => {
    await server.stop();
    uninstall();
  });

  it('delivers what was sent while the socket was down, once and in order', async () => {
    const proxy = await cuttableProxy(server.port);
    try {
      // REST goes straight to the server; only the sockets pass through the proxy that is cut.
      const alice: VonageClientApi = vonageClientAt({ apiUrl: server.url, websocketUrl: proxy.url });
      const vonageHeard = new Inbox<ChatEvent>();
      alice.on('conversationEvent', (e) => vonageHeard.push(e as ChatEvent));
      await alice.createSession(await successorToken(app, 'alice'));

      const carol = nexmoClient(server.url, { url: proxy.url });
      const application = await carol.createSession(await successorToken(app, 'carol'));
      const conversation = await application.getConversation(cid);
      const nexmoHeard = new Inbox<NexmoEvent>();
      conversation.on('text', (_sender, e) => nexmoHeard.push(e));

      const bobToken = await successorToken(app, 'bob');
      const say = async (text: string) => {
        const res = await server.call('POST', `/v1/conversations/${cid}/events`, {
          token: bobToken,
          body: { type: 'text', body: { text } },
        });
        expect(res.status).toBe(201);
      };
      await say('before');
      await vonageHeard.waitFor((e) => e.body.text === 'before', 'the first line (vonage)');
      await nexmoHeard.waitFor((e) => e.body.text === 'before', 'the first line (nexmo)');

      proxy.cut();
      for (let i = 0; i < 5; i++) await say(`missed ${i}`);
      await say('after');

      await vonageHeard.waitFor((e) => e.body.text === 'after', 'the line after the drop (vonage)', 30_000);
      await nexmoHeard.waitFor((e) => e.body.text === 'after', 'the line after the drop (nexmo)', 30_000);
      const expected = ['before', 'missed 0', 'missed 1', 'missed 2', 'missed 3', 'missed 4', 'after'];
      expect(vonageHeard.items.filter((e) => e.kind === 'message:text').map((e) => e.body.text)).toEqual(
        expected,
      );
      expect(nexmoHeard.items.map((e) => e.body.text)).toEqual(expected);
      await alice.deleteSession();
      await carol.deleteSession();
    } finally {
      proxy.cut();
      await proxy.close();
    }
  }, 60_000);
});
