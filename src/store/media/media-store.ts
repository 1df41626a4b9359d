import type { Readable } from 'node:stream';

/** What `put` stored: the key is the SHA-256 of the bytes, so identical uploads share one blob. */
export interface StoredBlob {
  key: string;
  size: number;
  sha256: string;
}

/** Bytes `start` to `end`, both inclusive, as in an HTTP Range. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobInfo {
  key: string;
  size: number;
  /** When the blob was written (ISO-8601); the sweep spares blobs younger than an in-flight upload. */
  created: string;
}

/**
 * Content-addressed bytes: the files directory when embedded, PostgreSQL in a cluster. `put` resolves only
 * once the bytes are durable, so metadata written after it never names a missing blob.
 */
export interface MediaStore {
  /**
   * Streams `source` in. More than `maxBytes` rejects with `system:error:too-large` and leaves nothing
   * behind; so does a source that fails.
   */
  put(source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredBlob>;
  /** The blob's bytes (a slice when `range` is given), or undefined when there is no such blob. */
  get(key: string, range?: ByteRange): Promise<Readable | undefined>;
  stat(key: string): Promise<BlobInfo | undefined>;
  /** Whether a blob was there to delete. */
  delete(key: string): Promise<boolean>;
  /** Every blob, for the sweep of blobs no metadata names. */
  list(): AsyncIterable<BlobInfo>;
  close(): Promise<void>;
}

/** Keys are lowercase SHA-256 hex; anything else is refused before it can reach a path or a query. */
export const BLOB_KEY = /^[0-9a-f]{64}$/;
