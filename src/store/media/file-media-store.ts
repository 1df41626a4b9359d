import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ParleyError } from '../../protocol/errors.js';
import { BLOB_KEY, type BlobInfo, type ByteRange, type MediaStore, type StoredBlob } from './media-store.js';

/**
 * Blobs as files under `<dir>/<ab>/<sha256>`. A blob is written to `<dir>/tmp/`, fsynced, renamed into place
 * and its directory fsynced, so after a crash a blob is either whole or absent (leftover temp files are removed
 * on open).
 */
export class FileMediaStore implements MediaStore {
  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<FileMediaStore> {
    await rm(join(dir, 'tmp'), { recursive: true, force: true });
    await mkdir(join(dir, 'tmp'), { recursive: true });
    return new FileMediaStore(dir);
  }

  private pathOf(key: string): string {
    if (!BLOB_KEY.test(key)) throw new ParleyError('http:error:not-found', 'No such media');
    return join(this.dir, key.slice(0, 2), key);
  }

  async put(source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredBlob> {
    const temp = join(this.dir, 'tmp', randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    const file = await open(temp, 'wx', 0o600);
    try {
      for await (const chunk of source) {
        size += chunk.byteLength;
        if (size > maxBytes)
          throw new ParleyError('media:error:too-large', `Uploads may have at most ${maxBytes} bytes`);
        hash.update(chunk);
        await file.write(chunk);
      }
      await file.sync();
    } catch (error) {
      await file.close();
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await file.close();
    const key = hash.digest('hex');
    const folder = join(this.dir, key.slice(0, 2));
    await mkdir(folder, { recursive: true });
    // Renaming over an identical blob is harmless: same name, same bytes.
    await rename(temp, join(folder, key));
    await syncDirectory(folder);
    return { key, size, sha256: key };
  }

  async get(key: string, range?: ByteRange): Promise<Readable | undefined> {
    if (!(await this.stat(key))) return undefined;
    return createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : {});
  }

  async stat(key: string): Promise<BlobInfo | undefined> {
    if (!BLOB_KEY.test(key)) return undefined;
    try {
      const info = await stat(this.pathOf(key));
      return { key, size: info.size, created: info.mtime.toISOString() };
    } catch {
      return undefined;
    }
  }

  async delete(key: string): Promise<boolean> {
    if (!BLOB_KEY.test(key)) return false;
    try {
      await unlink(this.pathOf(key));
      return true;
    } catch {
      return false;
    }
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const folder of await readdir(this.dir)) {
      if (!/^[0-9a-f]{2}$/.test(folder)) continue;
      for (const name of await readdir(join(this.dir, folder))) {
        const info = await this.stat(name);
        if (info) yield info;
      }
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Makes a rename in `dir` durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
