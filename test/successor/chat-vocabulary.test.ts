import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socketIoClient, type RawClient } from '../support/realtime-clients.js';
import { Inbox, successorToken, tutorialRoom } from '../support/successor.js';
import { startTestServer, type TestApp, type TestServer } from '../support/test-server.js';
import { vonageClient, type VonageClientApi } from '../support/vonage-client.js';

interface ChatEvent {
  kind: string;
  id: number;
  body: { text?: string; eventId?: number };
}

/** A text from a Stitch client and a message from the Vonage SDK are one event each, in both vocabularies. */
describe('text and message, one event in two vocabularies', () => {
  let server: TestServer;
  let app: TestApp;
  let cid: string;
  let stan: RawClient;
  let stanMember: string;
  let vera: VonageClientApi;
  const atVera = new Inbox<ChatEvent>();

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp('vocabulary');
    ({ cid } = await tutorialRoom(server, app, ['stan', 'vera']));
    stan = await socketIoClient(server.url);
    await stan.request('session:login', { body: { token: await successorToken(app, 'stan') } });
    const got = await stan.request('conversation:get', { cid, body: {} });
    stanMember = (got.body as { member_id: string }).member_id;
    vera = vonageClient(server.url);
    vera.on('conversationEvent', (e) => atVera.push(e as ChatEvent));
    await vera.createSession(await successorToken(app, 'vera'));
  });
  afterAll(async () => {
    await vera.deleteSession();
    stan.close();
    await server.stop();
  });

  it('shows a Stitch text as a message and a message as a text, with the same ids, and crosses receipts', async () => {
    const sent = await stan.request('text', { cid, from: stanMember, body: { text: 'from stitch' } });
    const textId = (sent.body as { id: number }).id;
    const asMessage = await atVera.waitFor((e) => e.id === textId, 'the text as a message');
    expect(asMessage).toMatchObject({ kind: 'message:text', body: { text: 'from stitch' } });

    await vera.sendMessageSeenEvent(textId, cid);
    const seen = await stan.waitFor((m) => m.type === 'text:seen');
    expect(seen).toMatchObject({ cid, body: { event_id: textId } });

    await vera.sendMessageTextEvent(cid, 'from vonage');
    const asText = await stan.waitFor(
      (m) => m.type === 'text' && m.body !== undefined && (m.body as { text: string }).text === 'from vonage',
    );
    const own = await atVera.waitFor((e) => e.body.text === 'from vonage', 'her own message back');
    const messageId = own.id;
    expect(asText.id).toBe(messageId);

    await stan.request('text:seen', { cid, from: stanMember, body: { event_id: messageId } });
    const seenByStan = await atVera.waitFor(
      (e) => e.kind === 'message:seen' && e.body.eventId === messageId,
      'stan seeing it',
    );
    expect(seenByStan.id).toBeGreaterThan(messageId);
  });

  it('keeps history in each vocabulary: v0.3 says message, Stitch says text, /v1 says what was sent', async () => {
    const token = await successorToken(app, 'vera');
    const v03 = (await (
      await server.call(
        'GET',
        `/v0.3/conversations/${cid}/events?order=ASC&page_size=100&filter_group_type=ChatEvents`,
        { token },
      )
    ).json()) as { _embedded: { events: { id: number; type: string; body: { text?: string } }[] } };
    const chat = v03._embedded.events.filter((e) => e.body.text);
    expect(chat.map((e) => [e.type, e.body.text])).toEqual([
      ['message', 'from stitch'],
      ['message', 'from vonage'],
    ]);
    // Receipts and other types the Vonage SDK cannot decode stay out of a ChatEvents page.
    expect(new Set(v03._embedded.events.map((e) => e.type))).toEqual(new Set(['member:joined', 'message']));

    const stitch = await stan.request('conversation:events', { cid, body: {} });
    const stitchTexts = (stitch.body as { id: number; type: string; body: { text?: string } }[]).filter(
      (e) => e.body.text,
    );
    expect(stitchTexts.map((e) => [e.id, e.type, e.body.text])).toEqual(
      chat.map((e) => [e.id, 'text', e.body.text]),
    );

    const v1 = (await (
      await server.call('GET', `/v1/conversations/${cid}/events?page_size=100`, { token })
    ).json()) as {
      _embedded: { type: string; body: { text?: string } }[];
    };
    expect(v1._embedded.filter((e) => e.body.text).map((e) => e.type)).toEqual(['text', 'message']);
  });
});
