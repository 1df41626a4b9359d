import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeClient, type RawClient } from '../support/realtime-clients.js';
import { startTestServer, userToken, type TestApp, type TestServer } from '../support/test-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { SIGNATURE_SECRET, verifies } from './helpers.js';

describe('ephemeral events as webhooks', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    server = await startTestServer({ signatureSecret: SIGNATURE_SECRET });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.stop();
    await receiver?.stop();
  });

  async function typist(app: TestApp, optIn: boolean) {
    const res = await server.call('PUT', `/v2/applications/${app.id}`, {
      basic: true,
      body: {
        capabilities: {
          rtc: { webhooks: { event_url: { address: receiver.url }, ephemeral_events: optIn } },
        },
      },
    });
    expect(res.status).toBe(200);
    const { cid } = await server.createRoom(app, ['tess']);
    const client = await nativeClient(server.url);
    clients.push(client);
    await client.request('session:login', { body: { token: await userToken(app, 'tess') } });
    const convs = (await client.request('user:conversations')).body as { id: string; member_id: string }[];
    return { client, cid, from: convs[0]!.member_id };
  }

  it('sends typing to an application that opted in, signed, without an id', async () => {
    const app = await server.createApp('Typing wanted');
    const { client, cid, from } = await typist(app, true);
    await client.request('text:typing:on', { cid, from, body: {} });
    await receiver.waitFor(() => receiver.received.some((h) => h.body.type === 'text:typing:on'));
    const hook = receiver.received.find((h) => h.body.type === 'text:typing:on')!;
    expect(hook.body).toMatchObject({
      conversation_id: cid,
      from,
      application_id: app.id,
      body: { activity: 1 },
    });
    expect(hook.body.id).toBeUndefined();
    expect(verifies(hook, SIGNATURE_SECRET)).toBe(true);
  });

  it('sends no typing to an application that did not', async () => {
    const app = await server.createApp('Typing unwanted');
    const { client, cid, from } = await typist(app, false);
    await client.request('text:typing:on', { cid, from, body: {} });
    const sent = await client.request('text', { cid, from, body: { text: 'done typing' } });
    const id = (sent.body as { id: number }).id;
    // The typing event was handled (and dropped) before the text it preceded was even committed.
    await receiver.waitFor(() =>
      receiver.received.some((h) => h.body.conversation_id === cid && h.body.id === id),
    );
    expect(
      receiver.received.filter((h) => h.body.conversation_id === cid).map((h) => h.body.type),
    ).not.toContain('text:typing:on');
  });
});
