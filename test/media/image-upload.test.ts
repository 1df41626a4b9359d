import exifReader from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appToken,
  signToken,
  startTestServer,
  userToken,
  type TestApp,
  type TestServer,
} from '../support/test-server.js';
import { getBytes, jpegWithGps, png, pngClaiming, postForm, stitchRatios } from './media-support.js';

interface Rep {
  id: string;
  url: string;
  type: string;
  size: number;
  width: number;
  height: number;
}
type Reps = { id: string; original: Rep; medium: Rep; thumbnail: Rep };

describe('images over REST', () => {
  let server: TestServer;
  let app: TestApp;
  let alice: string;
  let bob: string;
  let mallory: string;
  let cid: string;

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp();
    ({ cid } = await server.createRoom(app, ['alice', 'bob']));
    await server.call('POST', '/v1/users', { token: await appToken(app), body: { name: 'mallory' } });
    alice = await userToken(app, 'alice');
    bob = await userToken(app, 'bob');
    mallory = await userToken(app, 'mallory');
  });
  afterAll(() => server.stop());

  const upload = async (token = alice, bytes?: Buffer) =>
    postForm(
      server,
      '/v1/image',
      token,
      { bytes: bytes ?? (await jpegWithGps()), type: 'image/jpeg', name: 'photo.jpg' },
      stitchRatios,
    );

  const post = (token: string, body: unknown) =>
    server.call('POST', `/v1/conversations/${cid}/events`, { token, body });

  it('answers POST /v1/image with three representations that fetch back as re-encoded images', async () => {
    const { status, body } = await upload();
    expect(status).toBe(200);
    const reps = body as unknown as Reps;
    expect(reps.id).toMatch(/^MED-/);
    expect(reps.original).toMatchObject({ type: 'image/jpeg', width: 640, height: 480 });
    expect(reps.medium).toMatchObject({ width: 320, height: 240 });
    expect(reps.thumbnail).toMatchObject({ width: 192, height: 144 });
    for (const rep of [reps.original, reps.medium, reps.thumbnail]) {
      expect(rep.url).toBe(`${server.url}/v3/media/${rep.id}`);
      const { res, bytes } = await getBytes(rep.url, alice);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(bytes.length).toBe(rep.size);
      const meta = await exifReader(bytes).metadata();
      expect([meta.width, meta.height]).toEqual([rep.width, rep.height]);
    }
  });

  it('strips EXIF, and with it the GPS position, from every representation', async () => {
    const source = await jpegWithGps();
    expect((await exifReader(source).metadata()).exif?.toString('latin1')).toContain('Snapper');
    const reps = (await upload(alice, source)).body as unknown as Reps;
    for (const rep of [reps.original, reps.medium, reps.thumbnail]) {
      const { bytes } = await getBytes(rep.url, alice);
      const meta = await exifReader(bytes).metadata();
      expect(meta.exif).toBeUndefined();
      expect(bytes.toString('latin1')).not.toContain('Snapper');
      expect(bytes.toString('latin1')).not.toContain('GPS');
    }
  });

  it('serves with nosniff, a sandbox CSP, an ETag, ranges and a long private cache lifetime', async () => {
    const reps = (await upload()).body as unknown as Reps;
    const { res, bytes } = await getBytes(reps.original.url, alice);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/^sandbox/);
    expect(res.headers.get('content-disposition')).toBe('inline');
    expect(res.headers.get('cache-control')).toMatch(/private, max-age=31536000, immutable/);
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const again = await fetch(reps.original.url, {
      headers: { authorization: `Bearer ${alice}`, 'if-none-match': etag! },
    });
    expect(again.status).toBe(304);
    const part = await getBytes(reps.original.url, alice, { range: 'bytes=10-99' });
    expect(part.res.status).toBe(206);
    expect(part.res.headers.get('content-range')).toBe(`bytes 10-99/${bytes.length}`);
    expect(part.bytes.equals(bytes.subarray(10, 100))).toBe(true);
    const beyond = await getBytes(reps.original.url, alice, { range: `bytes=${bytes.length}-` });
    expect(beyond.res.status).toBe(416);
  });

  it('answers the CORS preflight Stitch makes before its cross-origin upload', async () => {
    const res = await fetch(`${server.url}/v1/image`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://app.example');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('refuses an upload without a token, and a file that is not an image', async () => {
    expect(
      (
        await postForm(server, '/v1/image', undefined, {
          bytes: await png(),
          type: 'image/png',
          name: 'a.png',
        })
      ).status,
    ).toBe(401);
    const html = Buffer.from('<html><script>alert(document.cookie)</script></html>');
    const refused = await postForm(server, '/v1/image', alice, {
      bytes: html,
      type: 'image/png',
      name: 'x.png',
    });
    expect(refused.status).toBe(415);
    expect(refused.body.code).toBe('media:error:unsupported-type');
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>',
    );
    const svgRefused = await postForm(server, '/v1/image', alice, {
      bytes: svg,
      type: 'image/png',
      name: 'x.png',
    });
    expect(svgRefused.status).toBe(415);
  });

  it('refuses a decompression bomb: a small file that decodes to too many pixels', async () => {
    const bomb = await pngClaiming(20_000, 20_000);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const refused = await postForm(server, '/v1/image', alice, {
      bytes: bomb,
      type: 'image/png',
      name: 'bomb.png',
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('media:error:too-many-pixels');
  });

  it('lets only the uploader fetch before an event refers to the image, then the members too', async () => {
    const reps = (await upload()).body as unknown as Reps;
    expect((await getBytes(reps.thumbnail.url, bob)).res.status).toBe(404);
    expect((await getBytes(reps.thumbnail.url)).res.status).toBe(401);
    const sent = await post(alice, { type: 'image', body: { representations: reps } });
    expect(sent.status).toBe(201);
    const event = (await sent.json()) as { id: number; body: { representations: Reps } };
    expect(event.body.representations.original.url).toBe(reps.original.url);
    expect((await getBytes(reps.thumbnail.url, bob)).res.status).toBe(200);
    expect((await getBytes(reps.thumbnail.url, mallory)).res.status).toBe(404);
    expect((await getBytes(reps.thumbnail.url, await appToken(app))).res.status).toBe(200);
  });

  it("refuses an event that names someone else's upload, or a URL on another host", async () => {
    const reps = (await upload(alice)).body as unknown as Reps;
    const stolen = await post(bob, { type: 'image', body: { representations: reps } });
    expect(stolen.status).toBe(403);
    expect(((await stolen.json()) as { code: string }).code).toBe('media:error:not-owner');
    const asMessage = await post(bob, {
      type: 'message',
      body: { message_type: 'image', image: { url: reps.original.url } },
    });
    expect(asMessage.status).toBe(403);
    const evil = {
      ...reps,
      original: { ...reps.original, url: `https://evil.example/v3/media/${reps.original.id}` },
    };
    const rewritten = await post(alice, { type: 'image', body: { representations: evil } });
    expect(rewritten.status).toBe(201);
    const stored = (await rewritten.json()) as { body: { representations: Reps } };
    expect(stored.body.representations.original.url).toBe(reps.original.url);
  });

  it('issues signed URLs for <img> to those who may read, and refuses them once expired or altered', async () => {
    const reps = (await upload()).body as unknown as Reps;
    await post(alice, { type: 'image', body: { representations: reps } });
    const res = await fetch(`${reps.medium.url}/url`, { headers: { authorization: `Bearer ${bob}` } });
    const { url, expires } = (await res.json()) as { url: string; expires: number };
    expect(expires).toBeGreaterThan(Date.now() / 1000);
    const signed = await getBytes(url);
    expect(signed.res.status).toBe(200);
    expect(signed.res.headers.get('content-type')).toBe('image/jpeg');
    const other = new URL(url);
    other.pathname = `/v3/media/${reps.original.id}`;
    expect((await getBytes(other.toString())).res.status).toBe(403);
    const expired = new URL(url);
    expired.searchParams.set('exp', String(Math.floor(Date.now() / 1000) - 1));
    expect((await getBytes(expired.toString())).res.status).toBe(403);
    const denied = await fetch(`${reps.medium.url}/url`, { headers: { authorization: `Bearer ${mallory}` } });
    expect(denied.status).toBe(404);
  });

  it('signs URLs that expire: one made earlier than its lifetime is refused', () => {
    const made = server.media.signedUrl('00000000-0000-4000-8000-000000000000', Date.now() - 2 * 3600 * 1000);
    return getBytes(made.url).then(({ res }) => expect(res.status).toBe(403));
  });

  it('deletes the files when the only event showing them is deleted', async () => {
    const reps = (await upload()).body as unknown as Reps;
    const sent = (await (await post(alice, { type: 'image', body: { representations: reps } })).json()) as {
      id: number;
    };
    expect((await getBytes(reps.original.url, bob)).res.status).toBe(200);
    const deleted = await server.call('DELETE', `/v1/conversations/${cid}/events/${sent.id}`, {
      token: alice,
    });
    expect(deleted.status).toBe(204);
    expect((await getBytes(reps.original.url, alice)).res.status).toBe(404);
  });

  it('sweeps uploads that no event refers to in time, and keeps those that one does', async () => {
    const kept = (await upload()).body as unknown as Reps;
    await post(alice, { type: 'image', body: { representations: kept } });
    const dropped = (await upload(alice, await png(33, 33))).body as unknown as Reps;
    const swept = await server.media.sweep(Date.now() + 2 * 24 * 3600 * 1000);
    expect(swept.media).toBeGreaterThanOrEqual(1);
    expect((await getBytes(dropped.original.url, alice)).res.status).toBe(404);
    expect((await getBytes(kept.original.url, bob)).res.status).toBe(200);
  });

  it('accepts any file on /v3/media, served as an inert download under its own name', async () => {
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    const { status, body } = await postForm(server, '/v3/media', alice, {
      bytes: html,
      type: 'text/html',
      name: 'notes ü.html',
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({ type: 'text/html', size: html.length, name: 'notes ü.html' });
    const sent = await post(alice, {
      type: 'message',
      body: { message_type: 'file', file: { url: body.url } },
    });
    expect(sent.status).toBe(201);
    const { res, bytes } = await getBytes(body.url as string, bob);
    expect(res.status).toBe(200);
    expect(bytes.equals(html)).toBe(true);
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="notes _.html"; filename*=UTF-8''notes%20%C3%BC.html`,
    );
    expect(res.headers.get('content-security-policy')).toMatch(/^sandbox/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it("applies the same rule to the successor SDKs' REST dialects", async () => {
    const reps = (await upload(alice)).body as unknown as Reps;
    const send = async (name: string) =>
      fetch(`${server.url}/v0.3/conversations/${cid}/events`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await signToken(app, { sub: name })}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          type: 'message',
          body: { message_type: 'image', image: { url: reps.original.url } },
        }),
      });
    expect((await send('bob')).status).toBe(403);
    expect((await send('alice')).status).toBe(201);
    expect((await getBytes(reps.original.url, bob)).res.status).toBe(200);
  });

  it('passes other message types through untouched, and external attachment URLs as they are', async () => {
    const custom = await post(alice, { type: 'message', body: { message_type: 'custom', custom: { x: 1 } } });
    expect(custom.status).toBe(201);
    const external = { message_type: 'image', image: { url: 'https://cdn.example/cat.png' } };
    const sent = await post(alice, { type: 'message', body: external });
    expect(((await sent.json()) as { body: unknown }).body).toEqual(external);
  });

  it('turns an image on /v3/media into representations, and refuses one that is not what it claims', async () => {
    const { status, body } = await postForm(server, '/v3/media', alice, {
      bytes: await png(),
      type: 'image/png',
      name: 'dot.png',
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({ type: 'image/png', width: 64, height: 64, name: 'dot.png' });
    expect((body.representations as Reps).thumbnail.width).toBe(19);
    const fake = await postForm(server, '/v3/media', alice, {
      bytes: Buffer.from('<svg/>'),
      type: 'image/png',
      name: 'x.png',
    });
    expect(fake.status).toBe(415);
  });
});
