import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeClient, type RawClient } from '../support/realtime-clients.js';
import { appToken, startTestServer, type TestApp, type TestServer } from '../support/test-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { SIGNATURE_SECRET, idsByConversation, range, sendText, verifies } from './helpers.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');
const ROUNDS = 20;

/** The README's walkthrough: every bash block between the walkthrough markers, in order. */
async function walkthroughScript(): Promise<string> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.split('<!-- walkthrough:start -->')[1]?.split('<!-- walkthrough:end -->')[0];
  if (!section) throw new Error('README.md has no walkthrough section');
  return [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
}

describe('webhooks for the tutorial and three users chatting', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let work: string;
  const clients: RawClient[] = [];
  let sequences: Map<string, number>;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    server = await startTestServer({
      apiKey: 'my-api-key',
      apiSecret: 'my-api-secret',
      signatureSecret: SIGNATURE_SECRET,
      webhookPollMs: 200,
    });
    work = await mkdtemp(join(tmpdir(), 'parley-webhooks-'));
    const script = (await walkthroughScript())
      .replaceAll('http://localhost:3000', server.url)
      .replaceAll('https://example.com/webhooks/event', receiver.url);
    const { stdout } = await run(
      'bash',
      [
        '-euo',
        'pipefail',
        '-c',
        `${script}\necho\necho "VARS $APP_ID $CONV_ID $USER_JWT $USER2_JWT $USER3_JWT"`,
      ],
      {
        cwd: work,
        env: {
          ...process.env,
          PATH: `${join(root, 'bin')}:${process.env.PATH}`,
          HOME: work,
          PARLEY_RC: join(work, '.parleyrc'),
        },
      },
    );
    const [appId, cid, ...tokens] = (stdout.split('\n').find((l) => l.startsWith('VARS ')) ?? '')
      .slice(5)
      .split(' ');
    const app: TestApp = {
      id: appId!,
      privateKey: await readFile(join(work, 'private.key'), 'utf8'),
      publicKey: '',
    };

    // The three tutorial users chat over realtime, all at once, reading and deleting as they go.
    const sends: Promise<unknown>[] = [];
    for (const token of tokens) {
      const client = await nativeClient(server.url);
      clients.push(client);
      await client.request('session:login', { body: { token } });
      const convs = (await client.request('user:conversations')).body as { id: string; member_id: string }[];
      const from = convs.find((c) => c.id === cid)!.member_id;
      for (let i = 0; i < ROUNDS; i++) {
        sends.push(
          client.request('text', { cid, from, body: { text: `msg ${i}` } }).then(async (ack) => {
            const { id } = ack.body as { id: number };
            if (i % 5 === 0) await client.request('text:seen', { cid, from, body: { event_id: id } });
            if (i === ROUNDS - 1) await client.request('event:delete', { cid, from, body: { event_id: id } });
          }),
        );
      }
    }
    // A second conversation, chatting over REST meanwhile: conversations do not wait for each other.
    const side = await server.createRoom(app, ['Pat', 'Quinn']);
    for (let i = 0; i < ROUNDS; i++) {
      sends.push(sendText(server, app, side.cid, i % 2 ? 'Pat' : 'Quinn', `side ${i}`));
    }
    await Promise.all(sends);

    const token = await appToken(app);
    sequences = new Map();
    for (const id of [cid!, side.cid]) {
      const res = await server.call('GET', `/v1/conversations/${id}`, { token });
      sequences.set(id, ((await res.json()) as { sequence_number: number }).sequence_number);
    }
    await receiver.waitFor(() => {
      const ids = idsByConversation(receiver.received);
      return [...sequences].every(([id, last]) => ids.get(id)?.length === last);
    });
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.stop();
    await receiver?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('delivers every committed event of each conversation in id order', () => {
    const ids = idsByConversation(receiver.received);
    expect([...ids.keys()].sort()).toEqual([...sequences.keys()].sort());
    for (const [cid, last] of sequences) {
      expect(last).toBeGreaterThan(ROUNDS);
      expect(ids.get(cid)).toEqual(range(1, last));
    }
  });

  it('sends each delivery once in the steady state, every one signed', () => {
    const deliveries = receiver.received.map((h) => h.headers['x-parley-delivery-id']);
    expect(new Set(deliveries).size).toBe(receiver.received.length);
    for (const hook of receiver.received) expect(verifies(hook, SIGNATURE_SECRET)).toBe(true);
  });

  it('covers members, texts, receipts and deletions', () => {
    const types = new Set(receiver.received.map((h) => h.body.type));
    for (const type of ['member:joined', 'text', 'text:seen', 'event:delete']) expect(types).toContain(type);
  });
});
