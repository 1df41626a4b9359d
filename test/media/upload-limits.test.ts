import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessApp, startParleyProcess, type ParleyProcess } from '../support/parley-process.js';
import { signToken, TUTORIAL_ACL } from '../support/test-server.js';

const MIB = 1024 * 1024;

/** The server process's resident memory, from /proc. */
async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) * 1024;
}

/**
 * Streams a multipart upload of `size` bytes in 64 KiB writes, as a slow client would, and resolves with the
 * status as soon as the server answers (the rest of the body is then never sent).
 */
function streamUpload(
  url: string,
  token: string,
  size: number,
  announce: boolean,
  sendBody = true,
): Promise<number> {
  const boundary = 'parleyboundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'content-type': `multipart/form-data; boundary=${boundary}`,
  };
  if (announce) headers['content-length'] = String(head.length + size + tail.length);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(`${url}/v1/image`, { method: 'POST', headers }, (res) => {
      answered = true;
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    // Once answered the client hangs up mid-body; the errors that causes are expected.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const pump = (): void => {
      while (!answered && sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end(tail);
    };
    req.write(head);
    // Announced but not sent: only an answer given before reading the body can arrive.
    if (sendBody) pump();
    else req.flushHeaders();
  });
}

describe('upload limits', () => {
  let server: ParleyProcess;
  let token: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'parley-limits-'));
    server = await startParleyProcess({ dataDir });
    const { app, post } = await createProcessApp(server.url, 'Limits');
    await post('/v1/users', { name: 'alice' });
    token = await signToken(app, { sub: 'alice', acl: TUTORIAL_ACL });
  });
  afterAll(async () => {
    await server?.kill('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers a 20 MiB upload that announces its length with 413 before any of the body is sent', async () => {
    const before = await rssOf(server.child.pid!);
    expect(await streamUpload(server.url, token, 20 * MIB, true, false)).toBe(413);
    expect((await rssOf(server.child.pid!)) - before).toBeLessThan(8 * MIB);
  });

  it('answers a 20 MiB chunked upload with 413 once it passes the limit, holding less than 20 MiB', async () => {
    const before = await rssOf(server.child.pid!);
    expect(await streamUpload(server.url, token, 20 * MIB, false)).toBe(413);
    // At most the 10 MiB limit is held while it arrives (measured: about 10.5 MiB).
    expect((await rssOf(server.child.pid!)) - before).toBeLessThan(16 * MIB);
    // The server is fine afterwards.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
