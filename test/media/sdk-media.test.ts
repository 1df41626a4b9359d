import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, ConversationEvent } from '../../src/client/index.js';
import { createClient, type TestClient } from '../client/helpers.js';
import { waitFor } from '../support/wait.js';
import { startTestServer, userToken, type TestApp, type TestServer } from '../support/test-server.js';
import { getBytes, jpegWithGps } from './media-support.js';

interface Rep {
  url: string;
  width: number;
}

/** Parley's SDK: `sendImage` and `sendFile` upload, then send the event the other members receive. */
describe('SDK images and files', () => {
  let server: TestServer;
  let app: TestApp;
  let cid: string;
  const clients: TestClient[] = [];
  let alice: Conversation;
  let bob: Conversation;
  const atBob: ConversationEvent[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp();
    ({ cid } = await server.createRoom(app, ['alice', 'bob']));
    const open = async (name: string) => {
      const client = createClient(server.url);
      clients.push(client);
      return (await client.client.login(await userToken(app, name))).getConversation(cid);
    };
    alice = await open('alice');
    bob = await open('bob');
    bob.on('event', (_sender, event) => atBob.push(event));
  });
  afterAll(async () => {
    for (const c of clients) await c.client.logout();
    await server.stop();
  });

  it('sends an image that the other member receives, with representations they may fetch', async () => {
    const photo = await jpegWithGps(300, 200);
    const sent = await alice.sendImage(new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }));
    expect(sent.type).toBe('image');
    const received = await waitFor(() => atBob.find((e) => e.type === 'image' && e.id === sent.id));
    const reps = received.body.representations as Record<string, Rep>;
    expect(reps.original!.width).toBe(300);
    expect(reps.medium!.width).toBe(150);
    const { res, bytes } = await getBytes(reps.thumbnail!.url, await userToken(app, 'bob'));
    expect(res.status).toBe(200);
    expect((await sharp(bytes).metadata()).exif).toBeUndefined();
  });

  it('sends a file as a message that the other member receives and may download', async () => {
    const notes = Buffer.from('meeting at noon\n');
    const file = new File([new Uint8Array(notes)], 'notes.txt', { type: 'text/plain' });
    const sent = await alice.sendFile(file);
    expect(sent.type).toBe('message');
    const received = await waitFor(() => atBob.find((e) => e.type === 'message' && e.id === sent.id));
    expect(received.body.message_type).toBe('file');
    const attachment = received.body.file as { url: string; name: string; size: number };
    expect(attachment).toMatchObject({ name: 'notes.txt', size: notes.length });
    const { res, bytes } = await getBytes(attachment.url, await userToken(app, 'bob'));
    expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(bytes.equals(notes)).toBe(true);
  });

  it('rejects with the server code when the file claims to be an image and is not', async () => {
    const fake = new Blob([new Uint8Array(Buffer.from('<svg/>'))], { type: 'image/png' });
    await expect(alice.sendImage(fake)).rejects.toMatchObject({ code: 'media:error:unsupported-type' });
  });
});
