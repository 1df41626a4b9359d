import { createReadStream } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportItem } from './dump-items.js';
import { ndjsonLines } from './ndjson-lines.js';

/**
 * Lines an import could not apply yet (a member before its user, events before their conversation), kept
 * for a second pass at the end. Past `limit` held in memory they go to a temporary file, so a dump in an
 * unhelpful order still imports in bounded memory.
 */
export class DeferredItems {
  private held: ImportItem[] = [];
  private dir: string | undefined;
  private spilled = 0;

  constructor(
    private readonly limit = 10_000,
    /** Where the temporary folder goes. */
    private readonly parent = tmpdir(),
  ) {}

  get size(): number {
    return this.spilled + this.held.length;
  }

  async add(item: ImportItem): Promise<void> {
    this.held.push(item);
    if (this.held.length >= this.limit) await this.spill();
  }

  /** Every deferred item, in the order deferred, `size` at a time. */
  async *drain(size: number): AsyncGenerator<ImportItem[]> {
    let batch: ImportItem[] = [];
    if (this.dir !== undefined && this.spilled > 0) {
      for await (const line of ndjsonLines(createReadStream(this.file()), Number.MAX_SAFE_INTEGER)) {
        // Written by `spill` just now, so trusted to be an item.
        if ('text' in line) batch.push(JSON.parse(line.text) as ImportItem);
        if (batch.length >= size) {
          yield batch;
          batch = [];
        }
      }
    }
    for (const item of this.held) {
      batch.push(item);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  /** Removes the temporary file, if there is one. */
  async dispose(): Promise<void> {
    this.held = [];
    if (this.dir !== undefined) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private async spill(): Promise<void> {
    this.dir ??= await mkdtemp(join(this.parent, 'parley-import-'));
    await appendFile(this.file(), this.held.map((item) => `${JSON.stringify(item)}\n`).join(''));
    this.spilled += this.held.length;
    this.held = [];
  }

  private file(): string {
    return join(this.dir ?? this.parent, 'deferred.ndjson');
  }
}
