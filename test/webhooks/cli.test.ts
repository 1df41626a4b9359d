import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_USAGE } from '../../src/cli/main.js';
import { runCli, type CliEnvironment } from '../cli/support/run-cli.js';
import {
  API_KEY,
  API_SECRET,
  startTestServer,
  type TestApp,
  type TestServer,
} from '../support/test-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { SIGNATURE_SECRET, sendText } from './helpers.js';

describe('parley app:update, webhook:list and webhook:replay', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let where: CliEnvironment;
  let app: TestApp;
  let cid: string;
  const cli = (...argv: string[]) => runCli(argv, where);

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    server = await startTestServer({
      signatureSecret: SIGNATURE_SECRET,
      webhookPollMs: 50,
      webhookBackoffMs: 20,
      webhookRetryForMs: 200,
    });
    const cwd = await mkdtemp(join(tmpdir(), 'parley-webhook-cli-'));
    where = { cwd, rc: join(cwd, 'rc') };
    expect((await cli('setup', API_KEY, API_SECRET, '--url', server.url)).code).toBe(0);
    app = await server.createApp('CLI');
    ({ cid } = await server.createRoom(app, ['alice']));
  });

  afterAll(async () => {
    await server?.stop();
    await receiver?.stop();
    if (where) await rm(where.cwd, { recursive: true, force: true });
  });

  /** `webhook:list --json` until `done` holds (deliveries are written as the dispatcher goes). */
  async function listUntil(
    done: (rows: { status: string; event_id: number }[]) => boolean,
    ...args: string[]
  ) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const run = await cli('webhook:list', app.id, '--json', ...args);
      expect(run.code).toBe(0);
      const rows = JSON.parse(run.stdout) as { status: string; event_id: number }[];
      if (done(rows)) return rows;
      if (Date.now() > deadline) throw new Error(`webhook:list never matched: ${run.stdout}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('points the application at a receiver, which then gets its events', async () => {
    const updated = await cli('app:update', app.id, '--event-url', receiver.url);
    expect(updated).toMatchObject({ code: 0, out: [`Application updated: ${app.id}`] });
    const shown = await cli('app:show', app.id, '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({
      capabilities: { rtc: { webhooks: { event_url: { address: receiver.url, http_method: 'POST' } } } },
    });
    const id = await sendText(server, app, cid, 'alice', 'hi');
    await receiver.waitFor(() => receiver.received.some((h) => h.body.id === id));
    const rows = await listUntil((rs) => rs.some((r) => r.event_id === id));
    expect(rows.find((r) => r.event_id === id)).toMatchObject({ status: 'delivered', attempts: 1 });
    const human = await cli('webhook:list', app.id);
    expect(human.out[0]).toMatch(/\| delivered \| attempts=1 \| 200 \|/);
  });

  it('replays the failed deliveries', async () => {
    let down = true;
    receiver.respond = () => (down ? 500 : 200);
    const id = await sendText(server, app, cid, 'alice', 'lost');
    await listUntil((rs) => rs.some((r) => r.event_id === id), '--status', 'failed');
    down = false;
    const before = receiver.received.filter((h) => h.body.id === id).length;
    const replay = await cli('webhook:replay', app.id, '--failed');
    expect(replay).toMatchObject({ code: 0, out: ['Queued 1 deliveries'] });
    await receiver.waitFor(() => receiver.received.filter((h) => h.body.id === id).length > before);
    await listUntil((rs) => rs.some((r) => r.event_id === id && r.status === 'delivered'));
  });

  it('refuses a replay without a selection, and a PUT with a GET event URL', async () => {
    expect(await cli('webhook:replay', app.id)).toMatchObject({ code: EXIT_USAGE });
    const res = await server.call('PUT', `/v2/applications/${app.id}`, {
      basic: true,
      body: {
        capabilities: { rtc: { webhooks: { event_url: { address: receiver.url, http_method: 'GET' } } } },
      },
    });
    expect(res.status).toBe(400);
  });
});
