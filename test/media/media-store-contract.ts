import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isParleyError } from '../../src/protocol/errors.js';
import type { MediaStore } from '../../src/store/media/media-store.js';

function chunksOf(bytes: Buffer, size = 64 * 1024): AsyncIterable<Uint8Array> {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function read(stream: Readable | undefined): Promise<Buffer | undefined> {
  if (!stream) return undefined;
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part as Uint8Array));
  return Buffer.concat(parts);
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

async function keysOf(store: MediaStore): Promise<Set<string>> {
  const keys = new Set<string>();
  for await (const blob of store.list()) keys.add(blob.key);
  return keys;
}

/** The behaviour every MediaStore backend shares; each backend's test file runs it against a fresh store. */
export function runMediaStoreContract(name: string, open: () => Promise<MediaStore>): void {
  describe(`${name}: MediaStore contract`, () => {
    let store: MediaStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store.close();
    });

    it('stores bytes under their SHA-256 and gives them back whole', async () => {
      const bytes = randomBytes(700_000);
      const stored = await store.put(chunksOf(bytes, 10_000), 1_000_000);
      expect(stored).toEqual({ key: sha256(bytes), sha256: sha256(bytes), size: bytes.length });
      expect((await read(await store.get(stored.key)))?.equals(bytes)).toBe(true);
      expect((await store.stat(stored.key))?.size).toBe(bytes.length);
    });

    it('serves byte ranges, including ones that cross internal chunk boundaries', async () => {
      const bytes = randomBytes(600_000);
      const { key } = await store.put(chunksOf(bytes), 1_000_000);
      for (const [start, end] of [
        [0, 0],
        [10, 99],
        [262_000, 263_000],
        [100_000, 599_999],
        [599_999, 599_999],
      ] as const) {
        const part = await read(await store.get(key, { start, end }));
        expect(part?.equals(bytes.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
      }
    });

    it('stores an empty blob', async () => {
      const { key, size } = await store.put(chunksOf(Buffer.alloc(0)), 10);
      expect(size).toBe(0);
      expect((await read(await store.get(key)))?.length).toBe(0);
    });

    it('keeps one blob for identical uploads, even when they race', async () => {
      const bytes = randomBytes(300_000);
      const results = await Promise.all([1, 2, 3].map(() => store.put(chunksOf(bytes), 1_000_000)));
      expect(new Set(results.map((r) => r.key)).size).toBe(1);
      expect((await read(await store.get(results[0]!.key)))?.equals(bytes)).toBe(true);
      const listed = [];
      for await (const blob of store.list()) if (blob.key === results[0]!.key) listed.push(blob);
      expect(listed).toHaveLength(1);
    });

    it('refuses a source larger than the limit and leaves nothing behind', async () => {
      const before = await keysOf(store);
      const bytes = randomBytes(50_000);
      const failure = store.put(chunksOf(bytes, 1000), 49_999);
      await expect(failure).rejects.toSatisfy((e) => isParleyError(e) && e.code === 'media:error:too-large');
      expect(await store.stat(sha256(bytes))).toBeUndefined();
      expect(await keysOf(store)).toEqual(before);
    });

    it('leaves nothing behind when the source fails midway', async () => {
      const before = await keysOf(store);
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield await Promise.resolve(randomBytes(300_000));
        throw new Error('client went away');
      }
      await expect(store.put(failing(), 1_000_000)).rejects.toThrow('client went away');
      expect(await keysOf(store)).toEqual(before);
    });

    it('deletes a blob once, and reports unknown or malformed keys as absent', async () => {
      const { key } = await store.put(chunksOf(randomBytes(1000)), 10_000);
      expect(await store.delete(key)).toBe(true);
      expect(await store.delete(key)).toBe(false);
      expect(await store.get(key)).toBeUndefined();
      expect(await store.stat(key)).toBeUndefined();
      expect(await store.get('../../etc/passwd')).toBeUndefined();
      expect(await store.delete('../parley.db')).toBe(false);
      expect(await store.stat('A'.repeat(64))).toBeUndefined();
    });

    it('lists every stored blob with its size and creation time', async () => {
      const bytes = randomBytes(1234);
      const { key } = await store.put(chunksOf(bytes), 10_000);
      const listed = [];
      for await (const blob of store.list()) if (blob.key === key) listed.push(blob);
      expect(listed).toEqual([{ key, size: 1234, created: expect.any(String) as string }]);
      expect(Number.isNaN(Date.parse(listed[0]!.created))).toBe(false);
    });
  });
}
