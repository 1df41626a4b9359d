import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, startTestServer, type TestApp, type TestServer } from '../support/test-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { SIGNATURE_SECRET, sendText, setEventUrl, verifies } from './helpers.js';

describe('webhook signatures', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let app: TestApp;
  let cid: string;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    server = await startTestServer({ signatureSecret: SIGNATURE_SECRET, webhookPollMs: 100 });
    app = await server.createApp('Signed');
    await setEventUrl(server, app, receiver.url);
    ({ cid } = await server.createRoom(app, ['alice']));
    await sendText(server, app, cid, 'alice', 'hello');
    await receiver.waitFor(() => receiver.received.some((h) => h.body.type === 'text'));
  });

  afterAll(async () => {
    await server?.stop();
    await receiver?.stop();
  });

  it('verifies with @vonage/jwt and payload_hash, as a Vonage backend checks it', () => {
    expect(receiver.received.length).toBeGreaterThan(0);
    for (const hook of receiver.received) expect(verifies(hook, SIGNATURE_SECRET)).toBe(true);
  });

  it('carries the claims Vonage signs with, and a delivery id', () => {
    const hook = receiver.received.find((h) => h.body.type === 'text')!;
    const token = hook.headers.authorization!.slice('Bearer '.length);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ application_id: app.id, api_key: API_KEY, iss: 'Vonage' });
    expect(typeof claims.jti).toBe('string');
    expect(typeof claims.iat).toBe('number');
    expect(hook.headers['x-parley-delivery-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(hook.body).toMatchObject({
      type: 'text',
      conversation_id: cid,
      cid,
      application_id: app.id,
      body: { text: 'hello' },
      _embedded: { from_user: { name: 'alice' }, from_member: { state: 'JOINED' } },
    });
    expect(hook.body._embedded).toHaveProperty('from_member.id', hook.body.from);
  });

  it('fails the check for a tampered body or the wrong secret', () => {
    const hook = receiver.received.find((h) => h.body.type === 'text')!;
    expect(verifies(hook, SIGNATURE_SECRET, hook.raw.replace('hello', 'hellO'))).toBe(false);
    expect(verifies(hook, 'another-secret-entirely-123456')).toBe(false);
  });
});
