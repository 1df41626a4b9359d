import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestApp, type TestServer } from '../support/test-server.js';
import { WebhookReceiver, type ReceivedWebhook } from '../support/webhook-receiver.js';
import { SIGNATURE_SECRET, sendText, setEventUrl } from './helpers.js';

interface DeliveryBody {
  id: string;
  event_id: number;
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
}

const textOf = (hook: ReceivedWebhook): unknown => (hook.body.body as { text?: unknown } | undefined)?.text;

/** Reads the application's deliveries until `done` holds for them (the dispatcher writes them as it goes). */
async function deliveriesWhen(
  server: TestServer,
  app: TestApp,
  done: (deliveries: DeliveryBody[]) => boolean,
): Promise<DeliveryBody[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await server.call('GET', `/v2/applications/${app.id}/webhook-deliveries?page_size=100`, {
      basic: true,
    });
    expect(res.status).toBe(200);
    const deliveries = ((await res.json()) as { _embedded: { deliveries: DeliveryBody[] } })._embedded
      .deliveries;
    if (done(deliveries)) return deliveries;
    if (Date.now() > deadline) throw new Error(`deliveries never matched: ${JSON.stringify(deliveries)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('webhook retries', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of cleanup.splice(0).reverse()) await stop();
  });
  afterAll(async () => {
    for (const stop of cleanup.splice(0).reverse()) await stop();
  });

  /** A server whose jitter always picks the top of the backoff bound, so the waits are 100, 200, 400 ms. */
  async function setup(overrides: Parameters<typeof startTestServer>[0] = {}) {
    const receiver = await new WebhookReceiver().start();
    cleanup.push(() => receiver.stop());
    const server = await startTestServer(
      {
        signatureSecret: SIGNATURE_SECRET,
        webhookBackoffMs: 100,
        webhookBackoffMaxMs: 10_000,
        webhookPollMs: 50,
        ...overrides,
      },
      { webhooks: { random: () => 0.999 } },
    );
    cleanup.push(() => server.stop());
    const app = await server.createApp('Retries');
    const { cid } = await server.createRoom(app, ['alice']);
    await setEventUrl(server, app, receiver.url);
    return { receiver, server, app, cid };
  }

  it('retries a receiver that answers 500 three times: four attempts, growing gaps, the next event after', async () => {
    const { receiver, server, app, cid } = await setup();
    let failures = 0;
    receiver.respond = (hook) => (textOf(hook) === 'first' && failures++ < 3 ? 500 : 200);
    await sendText(server, app, cid, 'alice', 'first');
    await sendText(server, app, cid, 'alice', 'second');
    await receiver.waitFor(() => receiver.received.some((h) => textOf(h) === 'second'));

    const first = receiver.received.filter((h) => textOf(h) === 'first');
    expect(first.map((h) => h.headers['x-parley-attempt'])).toEqual(['1', '2', '3', '4']);
    expect(new Set(first.map((h) => h.headers['x-parley-delivery-id'])).size).toBe(1);
    const gaps = first.slice(1).map((h, i) => h.at - first[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThanOrEqual(395);
    expect(gaps[1]).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]).toBeGreaterThan(gaps[1]!);
    // In order: the second event waited for the first to succeed.
    expect(receiver.received.map(textOf)).toEqual(['first', 'first', 'first', 'first', 'second']);

    const deliveries = await deliveriesWhen(server, app, (ds) => ds.length === 2);
    expect(deliveries.find((d) => d.attempts === 4)).toMatchObject({ status: 'delivered', last_status: 200 });
  });

  it('delivers everything, in order, to a receiver that was down and came back', async () => {
    const { receiver, server, app, cid } = await setup();
    await receiver.stop();
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) ids.push(await sendText(server, app, cid, 'alice', `while down ${i}`));
    await deliveriesWhen(server, app, (ds) => ds.some((d) => d.attempts >= 2 && d.last_error !== null));
    await receiver.start();
    await receiver.waitFor(() => receiver.received.some((h) => h.body.id === ids.at(-1)));
    const received = receiver.received.map((h) => h.body.id);
    expect(received).toEqual(ids);
  });

  it('gives up after the retry limit, keeps the delivery as failed, moves on, and replays it on request', async () => {
    const { receiver, server, app, cid } = await setup({ webhookRetryForMs: 300, webhookBackoffMs: 50 });
    let down = true;
    receiver.respond = (hook) => (textOf(hook) === 'doomed' && down ? 503 : 200);
    const doomed = await sendText(server, app, cid, 'alice', 'doomed');
    await sendText(server, app, cid, 'alice', 'after');
    await receiver.waitFor(() => receiver.received.some((h) => textOf(h) === 'after'));
    const failed = await deliveriesWhen(server, app, (ds) => ds.some((d) => d.status === 'failed'));
    expect(failed.find((d) => d.event_id === doomed)).toMatchObject({ status: 'failed', last_status: 503 });

    down = false;
    const res = await server.call('POST', `/v2/applications/${app.id}/webhook-deliveries/replay`, {
      basic: true,
      body: { failed: true },
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ queued: 1 });
    const attempts = receiver.received.filter((h) => textOf(h) === 'doomed').length;
    await receiver.waitFor(() => receiver.received.filter((h) => textOf(h) === 'doomed').length > attempts);
    const replayed = await deliveriesWhen(server, app, (ds) =>
      ds.some((d) => d.event_id === doomed && d.status === 'delivered'),
    );
    expect(replayed.filter((d) => d.status === 'failed')).toEqual([]);
  });

  it('refuses loopback receivers with PARLEY_WEBHOOK_DENY_PRIVATE', async () => {
    const { receiver, server, app, cid } = await setup({ webhookDenyPrivate: true });
    await sendText(server, app, cid, 'alice', 'private');
    const deliveries = await deliveriesWhen(server, app, (ds) => ds.some((d) => d.last_error !== null));
    expect(deliveries[0]!.last_error).toMatch(/private/i);
    expect(receiver.received).toEqual([]);
  });
});
