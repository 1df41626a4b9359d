import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveServerConfig } from '../../src/server/config.js';
import { startParley, type ParleyServer } from '../../src/server/parley-server.js';
import { signToken } from '../support/test-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { SIGNATURE_SECRET } from './helpers.js';

describe('webhook logs', () => {
  let server: ParleyServer | undefined;
  let receiver: WebhookReceiver | undefined;
  let dataDir: string | undefined;

  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('name the failure but never the secret, the body or the URL', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()),
    });
    receiver = await new WebhookReceiver().start();
    let failed = false;
    receiver.respond = () => (failed ? 200 : ((failed = true), 500));
    dataDir = await mkdtemp(join(tmpdir(), 'parley-webhook-logs-'));
    server = await startParley(
      {
        ...resolveServerConfig({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'trace' }, {}),
        apiKey: 'k',
        apiSecret: 'a-secret-value-1',
        signatureSecret: SIGNATURE_SECRET,
        webhookBackoffMs: 10,
      },
      pino({ level: 'trace' }, sink),
    );
    const basic = `Basic ${Buffer.from('k:a-secret-value-1').toString('base64')}`;
    const eventUrl = `${receiver.url}?token=url-secret-999`;
    const keys = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const created = await fetch(`${server.url}/v2/applications`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'logged',
        keys: { public_key: keys.publicKey },
        capabilities: { rtc: { webhooks: { event_url: { address: eventUrl } } } },
      }),
    });
    const app = { id: ((await created.json()) as { id: string }).id, ...keys };
    const token = await signToken(app);
    const call = async (path: string, body: unknown) =>
      (await (
        await fetch(`${server!.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as { id: string };
    const { id: cid } = await call('/v1/conversations', {});
    await call(`/v1/conversations/${cid}/events`, {
      type: 'custom:note',
      body: { text: 'confidential-text-123' },
    });
    await receiver.waitFor(() => receiver!.received.length === 2);

    const all = lines.join('');
    expect(all).toContain('webhooks: attempt failed, will retry');
    for (const secret of [SIGNATURE_SECRET, 'confidential-text-123', 'url-secret-999']) {
      expect(all).not.toContain(secret);
    }
    const signature = receiver.received[0]!.headers.authorization!.slice('Bearer '.length);
    expect(all).not.toContain(signature);
  });
});
