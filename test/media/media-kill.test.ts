import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createProcessApp, startParleyProcess, type ParleyProcess } from '../support/parley-process.js';
import { signToken, TUTORIAL_ACL } from '../support/test-server.js';

const UPLOADS = 200;

interface Reps {
  original: { id: string; url: string; size: number };
  thumbnail: { id: string; url: string; size: number };
}

/** One upload and the image event that shows it; failures after the kill are expected and not retried. */
async function uploadAndPost(
  url: () => string,
  token: string,
  cid: string,
  bytes: Buffer,
  acked: Reps[],
  posted: Reps[],
): Promise<void> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'p.png');
  try {
    const res = await fetch(`${url()}/v1/image`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) return;
    const reps = (await res.json()) as Reps;
    acked.push(reps);
    const sent = await fetch(`${url()}/v1/conversations/${cid}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'image', body: { representations: reps } }),
    });
    if (sent.status === 201) posted.push(reps);
  } catch {
    // The server died under this request: it was never acknowledged.
  }
}

describe('kill -9 during 200 concurrent image uploads', () => {
  let server: ParleyProcess | undefined;
  let dataDir: string;

  afterAll(async () => {
    await server?.kill();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it(
    'serves every acknowledged image after a restart, and no event names a missing file',
    { timeout: 120_000 },
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'parley-media-kill-'));
      server = await startParleyProcess({ dataDir });
      const port = server.port;
      const { app, post } = await createProcessApp(server.url, 'media load');
      const cid = (await post('/v1/conversations', { name: 'photos' })).id;
      await post('/v1/users', { name: 'alice' });
      await post(`/v1/conversations/${cid}/members`, { user: { name: 'alice' }, state: 'JOINED' });
      const token = await signToken(app, { sub: 'alice', acl: TUTORIAL_ACL });

      // Distinct images, so every upload writes its own blobs.
      const images = await Promise.all(
        Array.from({ length: UPLOADS }, (_, i) =>
          sharp({ create: { width: 48, height: 32, channels: 3, background: { r: i, g: 255 - i, b: 7 } } })
            .png()
            .toBuffer(),
        ),
      );
      const acked: Reps[] = [];
      const posted: Reps[] = [];
      const running = images.map((bytes) =>
        uploadAndPost(() => server!.url, token, cid, bytes, acked, posted),
      );
      while (posted.length < UPLOADS / 4) await new Promise((r) => setTimeout(r, 5));
      expect(await server.kill('SIGKILL')).toBe('SIGKILL');
      await Promise.all(running);
      expect(acked.length).toBeGreaterThanOrEqual(UPLOADS / 4);

      server = await startParleyProcess({ dataDir, port });
      for (const reps of acked) {
        for (const rep of [reps.original, reps.thumbnail]) {
          const res = await fetch(rep.url, { headers: { authorization: `Bearer ${token}` } });
          expect(res.status, rep.url).toBe(200);
          expect((await res.arrayBuffer()).byteLength).toBe(rep.size);
        }
      }
      const admin = await signToken(app);
      const events: { body: { representations: Reps } }[] = [];
      let next: string | undefined = `/v1/conversations/${cid}/events?page_size=100&event_type=image`;
      while (next) {
        const page = (await (
          await fetch(`${server.url}${next}`, { headers: { authorization: `Bearer ${admin}` } })
        ).json()) as {
          _embedded: { body: { representations: Reps } }[];
          _links: { next?: { href: string } };
        };
        events.push(...page._embedded);
        const more = page._links.next ? new URL(page._links.next.href) : undefined;
        next = more ? more.pathname + more.search : undefined;
      }
      expect(events.length).toBeGreaterThanOrEqual(posted.length);
      for (const event of events) {
        const res = await fetch(event.body.representations.original.url, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).toBe(200);
      }
    },
  );
});
