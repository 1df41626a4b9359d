import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cuttableProxy } from '../support/cuttable-proxy.js';
import { socketIoClient } from '../support/realtime-clients.js';
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
  let uninstall: () => void;

  beforeAll(async () => {
    uninstall = installXhrShim();
    server = await startTestServer();
    app = await server.createApp('reconnect');
  });
  afterAll(async () => {
    await server.stop();
    uninstall();
  });

  for (const drop of ['cut', 'cutSilently'] as const)
    it(`delivers what was sent while the socket was down, once and in order (${drop === 'cut' ? 'the server notices the drop' : 'the old socket is still open on the server'})`, async () => {
      const [alice, carol, bob] = ['alice', 'carol', 'bob'].map((n) => `${n}-${drop}`) as [
        string,
        string,
        string,
      ];
      const { cid } = await tutorialRoom(server, app, [alice, carol, bob]);
      const proxy = await cuttableProxy(server.port);
      try {
        // REST goes straight to the server; only the sockets pass through the proxy that is cut.
        const vonage: VonageClientApi = vonageClientAt({ apiUrl: server.url, websocketUrl: proxy.url });
        const vonageHeard = new Inbox<ChatEvent>();
        vonage.on('conversationEvent', (e) => vonageHeard.push(e as ChatEvent));
        await vonage.createSession(await successorToken(app, alice));

        const nexmo = nexmoClient(server.url, { url: proxy.url });
        const application = await nexmo.createSession(await successorToken(app, carol));
        const conversation = await application.getConversation(cid);
        const nexmoHeard = new Inbox<NexmoEvent>();
        conversation.on('text', (_sender, e) => nexmoHeard.push(e));

        // Bob speaks the Stitch protocol on /rtc, where he also sees the others' delivery receipts.
        const stitch = await socketIoClient(server.url);
        await stitch.request('session:login', { body: { token: await successorToken(app, bob) } });
        const got = await stitch.request('conversation:get', { cid, body: {} });
        const { member_id: bobMember, members } = got.body as {
          member_id: string;
          members: { member_id: string; name: string }[];
        };
        const memberOf = (name: string) => members.find((m) => m.name === name)?.member_id;
        const say = async (text: string) => {
          const reply = await stitch.request('text', { cid, from: bobMember, body: { text } });
          expect(reply.type).toBe('text:success');
          return (reply.body as { id: number }).id;
        };
        const before = await say('before');
        await vonageHeard.waitFor((e) => e.body.text === 'before', 'the first line (vonage)');
        await nexmoHeard.waitFor((e) => e.body.text === 'before', 'the first line (nexmo)');
        // Both SDKs acknowledge an event as they take it, before they report it delivered: once the receipts
        // are in, the server knows they have it.
        for (const name of [alice, carol])
          await stitch.waitFor(
            (m) =>
              m.type === 'text:delivered' &&
              m.from === memberOf(name) &&
              (m.body as { event_id: number }).event_id === before,
          );

        proxy[drop]();
        for (let i = 0; i < 5; i++) await say(`missed ${i}`);
        await say('after');

        await vonageHeard.waitFor((e) => e.body.text === 'after', 'the line after the drop (vonage)', 30_000);
        await nexmoHeard.waitFor((e) => e.body.text === 'after', 'the line after the drop (nexmo)', 30_000);
        const expected = ['before', 'missed 0', 'missed 1', 'missed 2', 'missed 3', 'missed 4', 'after'];
        expect(vonageHeard.items.filter((e) => e.kind === 'message:text').map((e) => e.body.text)).toEqual(
          expected,
        );
        expect(nexmoHeard.items.map((e) => e.body.text)).toEqual(expected);
        await vonage.deleteSession();
        await nexmo.deleteSession();
        stitch.close();
      } finally {
        proxy.cut();
        await proxy.close();
      }
    }, 60_000);
});
