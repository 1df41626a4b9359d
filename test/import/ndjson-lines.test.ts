import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DeferredItems } from '../../src/core/deferred-items.js';
import type { ImportItem } from '../../src/core/dump-items.js';
import { ndjsonLines } from '../../src/core/ndjson-lines.js';

/** The parts as a stream would hand them over, one chunk at a time. */
const chunks = (...parts: (string | Buffer)[]): AsyncIterable<Buffer | string> => Readable.from(parts);

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of source) all.push(item);
  return all;
}

describe('reading NDJSON as it arrives', () => {
  it('numbers lines across chunks, keeps characters split between chunks, and skips blank lines', async () => {
    const bytes = Buffer.from('{"a":"é"}\r\n\n{"b":"🧾"}\n{"c":1}');
    const parts = [bytes.subarray(0, 8), bytes.subarray(8, 20), bytes.subarray(20)];
    expect(await collect(ndjsonLines(chunks(...parts), 1000))).toEqual([
      { line: 1, text: '{"a":"é"}' },
      { line: 3, text: '{"b":"🧾"}' },
      { line: 4, text: '{"c":1}' },
    ]);
  });

  it('reports a line longer than the limit without holding it, and goes on', async () => {
    const long = 'x'.repeat(50);
    const lines = ndjsonLines(chunks('{}\n', long.slice(0, 30), long.slice(30), '\n{"ok":1}\n'), 20);
    expect(await collect(lines)).toEqual([
      { line: 1, text: '{}' },
      { line: 2, tooLong: true },
      { line: 3, text: '{"ok":1}' },
    ]);
  });
});

describe('lines deferred to the second pass', () => {
  const item = (line: number): ImportItem => ({
    line,
    kind: 'user',
    user: {
      id: `USR-${line}`,
      name: `u${line}`,
      displayName: null,
      imageUrl: null,
      customData: {},
      channels: {},
    },
  });

  it('keeps their order past the memory limit, on disk, and removes the file afterwards', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'parley-deferred-test-'));
    const deferred = new DeferredItems(3, parent);
    for (let line = 1; line <= 10; line++) await deferred.add(item(line));
    expect(deferred.size).toBe(10);
    expect(await readdir(parent)).toHaveLength(1);
    const batches = await collect(deferred.drain(4));
    expect(batches.map((batch) => batch.map((i) => i.line))).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10],
    ]);
    expect(batches.flat()[4]).toEqual(item(5));
    await deferred.dispose();
    expect(await readdir(parent)).toEqual([]);
    await rm(parent, { recursive: true });
  });
});
