import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileMediaStore } from '../../src/store/media/file-media-store.js';
import { runMediaStoreContract } from './media-store-contract.js';

describe('file media store', () => {
  let dir: string;
  let opened = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-media-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  runMediaStoreContract('files', () => FileMediaStore.open(join(dir, `contract-${++opened}`)));

  it('removes temporary files an interrupted upload left, when it opens', async () => {
    const root = join(dir, 'interrupted');
    await (await FileMediaStore.open(root)).close();
    await writeFile(join(root, 'tmp', 'half-written'), 'partial');
    const store = await FileMediaStore.open(root);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    const listed = [];
    for await (const blob of store.list()) listed.push(blob);
    expect(listed).toEqual([]);
  });
});
