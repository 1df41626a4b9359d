import type { Multipart, MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { ParleyError } from '../../protocol/errors.js';

/** Non-file fields accepted beside the file, each at most this long. */
const FIELD_BYTES = 256;
const MAX_FIELDS = 8;

export interface Upload {
  file: MultipartFile;
  fields: Map<string, string>;
}

/**
 * Walks a multipart body: `onFile` must consume the one `file` part (Stitch sends it before the ratio
 * fields, so the fields are known only afterwards). Busboy stops a file one byte past `maxBytes`, so no more
 * than that is ever read into memory.
 */
export async function readUpload<T>(
  request: FastifyRequest,
  maxBytes: number,
  onFile: (file: MultipartFile) => Promise<T>,
): Promise<{ result: T; fields: Map<string, string> }> {
  if (!request.isMultipart()) throw new ParleyError('media:error:invalid-upload');
  const fields = new Map<string, string>();
  let result: { value: T } | undefined;
  const parts: AsyncIterableIterator<Multipart> = request.parts({
    limits: {
      files: 1,
      fileSize: maxBytes + 1,
      fields: MAX_FIELDS,
      fieldSize: FIELD_BYTES,
      parts: MAX_FIELDS + 1,
    },
  });
  for await (const part of parts) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file')
        throw new ParleyError('media:error:invalid-upload', 'The file field must be named "file"');
      result = { value: await onFile(part) };
    } else if (typeof part.value === 'string') {
      fields.set(part.fieldname, part.value);
    }
  }
  if (!result) throw new ParleyError('media:error:invalid-upload', 'The upload has no "file" field');
  return { result: result.value, fields };
}

/** Reads the whole file into memory, refusing it as soon as it passes `maxBytes`. */
export async function fileBuffer(file: MultipartFile, maxBytes: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of limited(file, maxBytes)) {
    parts.push(chunk);
    size += chunk.byteLength;
  }
  return Buffer.concat(parts, size);
}

/** The file's bytes, failing with `media:error:too-large` once more than `maxBytes` arrived. */
export async function* limited(file: MultipartFile, maxBytes: number): AsyncGenerator<Uint8Array> {
  let size = 0;
  for await (const chunk of file.file as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > maxBytes || file.file.truncated) throw tooLarge(maxBytes);
    yield chunk;
  }
  if (file.file.truncated) throw tooLarge(maxBytes);
}

export const tooLarge = (maxBytes: number): ParleyError =>
  new ParleyError('media:error:too-large', `Uploads may have at most ${maxBytes} bytes`);
