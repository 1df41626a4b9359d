import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { ParleyError } from '../../protocol/errors.js';
import { openPostgresPool } from '../postgres/postgres-store.js';
import { BLOB_KEY, type BlobInfo, type ByteRange, type MediaStore, type StoredBlob } from './media-store.js';

/** Rows of at most this many bytes: a range read fetches only the rows it covers, and memory stays bounded. */
const CHUNK = 256 * 1024;
/** A temporary blob older than this belongs to an upload that died with its node. */
const STALE_TEMP_MS = 60 * 60 * 1000;
const TEMP_PREFIX = 'tmp-';

const SCHEMA = `
create table if not exists media_blobs (key text primary key, size bigint not null, created text not null);
create table if not exists media_chunks (
  key text not null,
  seq integer not null,
  data bytea not null,
  primary key (key, seq)
);`;

/**
 * Blobs in PostgreSQL as `bytea` rows of 256 KiB, so every node of a cluster serves every file with no other
 * service to run (docs/deploy.md says why not large objects or S3). Chunks are written under a temporary key
 * as they arrive and renamed to the content hash in one transaction at the end, so a blob is whole or absent.
 */
export class PostgresMediaStore implements MediaStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(url: string, poolSize = 4): Promise<PostgresMediaStore> {
    const pool = openPostgresPool({ url, poolSize });
    try {
      // Two nodes starting at once may race on `create table if not exists`; the lock serialises them.
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query('select pg_advisory_xact_lock(727274)');
        await client.query(SCHEMA);
        await client.query('commit');
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresMediaStore(pool);
  }

  async put(source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredBlob> {
    const temp = `${TEMP_PREFIX}${randomUUID()}`;
    const hash = createHash('sha256');
    let size = 0;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async (): Promise<void> => {
      const data = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await this.pool.query('insert into media_chunks (key, seq, data) values ($1, $2, $3)', [
        temp,
        seq++,
        data,
      ]);
    };
    await this.pool.query('insert into media_blobs (key, size, created) values ($1, 0, $2)', [
      temp,
      new Date().toISOString(),
    ]);
    try {
      for await (const chunk of source) {
        size += chunk.byteLength;
        if (size > maxBytes)
          throw new ParleyError('media:error:too-large', `Uploads may have at most ${maxBytes} bytes`);
        hash.update(chunk);
        let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        while (bytes.length > 0) {
          const take = Math.min(CHUNK - pendingBytes, bytes.length);
          pending.push(Buffer.from(bytes.subarray(0, take)));
          pendingBytes += take;
          bytes = bytes.subarray(take);
          if (pendingBytes === CHUNK) await flush();
        }
      }
      if (pendingBytes > 0 || seq === 0) await flush();
    } catch (error) {
      await this.removeKey(temp).catch(() => undefined);
      throw error;
    }
    const key = hash.digest('hex');
    await this.inTransaction(async (client) => {
      // Serialises two uploads of the same bytes; the loser drops its copy.
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [key]);
      const existing = await client.query('select 1 from media_blobs where key = $1', [key]);
      if (existing.rowCount === 0) {
        await client.query('update media_chunks set key = $1 where key = $2', [key, temp]);
        await client.query('update media_blobs set key = $1, size = $2, created = $3 where key = $4', [
          key,
          size,
          new Date().toISOString(),
          temp,
        ]);
      } else {
        await client.query('delete from media_chunks where key = $1', [temp]);
        await client.query('delete from media_blobs where key = $1', [temp]);
      }
    });
    return { key, size, sha256: key };
  }

  async get(key: string, range?: ByteRange): Promise<Readable | undefined> {
    const info = await this.stat(key);
    if (!info) return undefined;
    const start = range?.start ?? 0;
    const end = range?.end ?? info.size - 1;
    const pool = this.pool;
    async function* chunks(): AsyncGenerator<Buffer> {
      if (end < start) return;
      for (let seq = Math.floor(start / CHUNK); seq <= Math.floor(end / CHUNK); seq++) {
        const result = await pool.query<{ data: Buffer }>(
          'select data from media_chunks where key = $1 and seq = $2',
          [key, seq],
        );
        const data = result.rows[0]?.data;
        if (!data) throw new Error(`media blob ${key} lacks chunk ${seq}`);
        const offset = seq * CHUNK;
        yield data.subarray(Math.max(0, start - offset), Math.min(data.length, end - offset + 1));
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  async stat(key: string): Promise<BlobInfo | undefined> {
    if (!BLOB_KEY.test(key)) return undefined;
    const result = await this.pool.query<{ size: string; created: string }>(
      'select size, created from media_blobs where key = $1',
      [key],
    );
    const row = result.rows[0];
    return row && { key, size: Number(row.size), created: row.created };
  }

  async delete(key: string): Promise<boolean> {
    if (!BLOB_KEY.test(key)) return false;
    return this.removeKey(key);
  }

  /** Every blob; temporary blobs of uploads that died with their node are removed on the way. */
  async *list(): AsyncIterable<BlobInfo> {
    const staleBefore = new Date(Date.now() - STALE_TEMP_MS).toISOString();
    const stale = await this.pool.query<{ key: string }>(
      'select key from media_blobs where key like $1 and created < $2',
      [`${TEMP_PREFIX}%`, staleBefore],
    );
    for (const { key } of stale.rows) await this.removeKey(key);
    let after = '';
    for (;;) {
      const page = await this.pool.query<{ key: string; size: string; created: string }>(
        'select key, size, created from media_blobs where key > $1 and key not like $2 order by key limit 500',
        [after, `${TEMP_PREFIX}%`],
      );
      for (const row of page.rows) yield { key: row.key, size: Number(row.size), created: row.created };
      const last = page.rows.at(-1);
      if (!last) return;
      after = last.key;
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private async removeKey(key: string): Promise<boolean> {
    return this.inTransaction(async (client) => {
      await client.query('delete from media_chunks where key = $1', [key]);
      const result = await client.query('delete from media_blobs where key = $1', [key]);
      return (result.rowCount ?? 0) > 0;
    });
  }

  private async inTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const result = await fn(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
