import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Found, MediaService } from '../../core/media/media-service.js';
import type { RepresentationRecord } from '../../store/media/media-records.js';
import type { ByteRange } from '../../store/media/media-store.js';
import { isInlineRaster } from './image-pipeline.js';

const YEAR = 365 * 24 * 60 * 60;

/**
 * Sends one representation: its stored type, never sniffed, in a sandbox so that even a file a browser would
 * render runs no script; anything but a raster image downloads instead of opening. Representations never
 * change (the ETag is the content hash), so caches may keep them for as long as the grant lasts.
 */
export async function serveRepresentation(
  request: FastifyRequest,
  reply: FastifyReply,
  media: MediaService,
  found: Found,
  maxAgeSeconds: number = YEAR,
): Promise<FastifyReply> {
  const rep = found.representation;
  const etag = `"${rep.blobKey}"`;
  void reply
    .header('content-type', rep.contentType)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "sandbox; default-src 'none'; style-src 'unsafe-inline'")
    .header('cross-origin-resource-policy', 'cross-origin')
    .header('content-disposition', disposition(rep, found.media.name))
    .header('etag', etag)
    .header('accept-ranges', 'bytes')
    .header('cache-control', `private, max-age=${Math.max(0, maxAgeSeconds)}, immutable`);
  if (ifNoneMatch(request.headers['if-none-match'], etag)) return reply.status(304).send();

  const range = parseRange(request.headers.range, rep.size);
  if (range === 'unsatisfiable') {
    return reply.status(416).header('content-range', `bytes */${rep.size}`).send();
  }
  const stream = await media.open(rep, range ?? undefined);
  if (range) {
    return reply
      .status(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${rep.size}`)
      .header('content-length', String(range.end - range.start + 1))
      .send(stream);
  }
  return reply.header('content-length', String(rep.size)).send(stream);
}

function disposition(rep: RepresentationRecord, name: string | null): string {
  const kind = isInlineRaster(rep.contentType) ? 'inline' : 'attachment';
  if (name === null) return kind;
  // ASCII fallback plus the RFC 5987 form; the stored name never reaches a header unescaped.
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/** One `bytes=` range; several ranges, or a malformed header, are ignored and the whole body is sent. */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
