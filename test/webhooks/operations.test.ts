import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestApp, type TestServer } from '../support/test-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { SIGNATURE_SECRET, sendText, setEventUrl } from './helpers.js';

describe('webhook operations', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let app: TestApp;
  let cid: string;
  const ids: number[] = [];
  let between: { from: string; to: string };

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    server = await startTestServer({ signatureSecret: SIGNATURE_SECRET, webhookPollMs: 50 });
    app = await server.createApp('Ops');
    ({ cid } = await server.createRoom(app, ['olga']));
    await setEventUrl(server, app, receiver.url);
    ids.push(await sendText(server, app, cid, 'olga', 'one'));
    const from = new Date().toISOString();
    ids.push(await sendText(server, app, cid, 'olga', 'two'));
    ids.push(await sendText(server, app, cid, 'olga', 'three'));
    between = { from, to: new Date().toISOString() };
    await receiver.waitFor(() => receiver.received.some((h) => h.body.id === ids.at(-1)));
  });

  afterAll(async () => {
    await server?.stop();
    await receiver?.stop();
  });

  it('skips the history written before the application had an event URL', () => {
    expect(receiver.received.map((h) => h.body.id)).toEqual(ids);
  });

  it('replays the events of a time range with their original delivery ids', async () => {
    const first = new Map(receiver.received.map((h) => [h.body.id, h.headers['x-parley-delivery-id']]));
    const before = receiver.received.length;
    const res = await server.call('POST', `/v2/applications/${app.id}/webhook-deliveries/replay`, {
      basic: true,
      body: between,
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ queued: 2 });
    await receiver.waitFor(() => receiver.received.length === before + 2);
    const replayed = receiver.received.slice(before);
    expect(replayed.map((h) => h.body.id!).sort((a, b) => a - b)).toEqual(ids.slice(1));
    for (const hook of replayed) expect(hook.headers['x-parley-delivery-id']).toBe(first.get(hook.body.id));
  });

  it('pages the deliveries newest first, and refuses unknown applications and bad input', async () => {
    const page = await server.call('GET', `/v2/applications/${app.id}/webhook-deliveries?page_size=2`, {
      basic: true,
    });
    const body = (await page.json()) as { _embedded: { deliveries: unknown[] }; _links: { next?: unknown } };
    expect(body._embedded.deliveries).toHaveLength(2);
    expect(body._links.next).toBeDefined();
    const unknown = await server.call('GET', '/v2/applications/nope/webhook-deliveries', { basic: true });
    expect(unknown.status).toBe(404);
    const unauthenticated = await server.call('GET', `/v2/applications/${app.id}/webhook-deliveries`);
    expect(unauthenticated.status).toBe(401);
    const bad = await server.call('POST', `/v2/applications/${app.id}/webhook-deliveries/replay`, {
      basic: true,
      body: { from: 'yesterday' },
    });
    expect(bad.status).toBe(400);
  });

  it('reports deliveries, latency and the backlog as metrics', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/parley_webhook_attempts_total\{outcome="delivered"\} \d+/);
    expect(text).toContain('parley_webhook_attempt_duration_seconds_bucket');
    expect(text).toMatch(/parley_webhook_outbox_depth \d+/);
    expect(text).toMatch(/parley_webhook_oldest_undelivered_seconds \d+/);
  });
});
