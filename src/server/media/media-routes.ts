import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../core/auth/principal.js';
import type { TokenVerifier } from '../../core/auth/token-verifier.js';
import type { MediaService, NewRendition } from '../../core/media/media-service.js';
import { mediaFileBody, representationsBody } from '../../core/media/media-wire.js';
import type { KeyedBuckets } from '../../core/token-bucket.js';
import { ParleyError } from '../../protocol/errors.js';
import { bearerAuth, principalOf } from '../http/authenticate.js';
import { validate } from '../validate.js';
import {
  DEFAULT_IMAGE_LIMITS,
  STITCH_RATIOS,
  processImage,
  type ImageRatios,
  type Rendition,
} from './image-pipeline.js';
import { fileBuffer, limited, readUpload } from './read-upload.js';
import { serveRepresentation } from './serve-media.js';

export interface MediaRouteOptions {
  tokens: TokenVerifier;
  userBuckets: KeyedBuckets;
  appBuckets: KeyedBuckets;
}

const MIB = 1024 * 1024;
/** Room for multipart boundaries, headers and the ratio fields on top of the file itself. */
const FORM_OVERHEAD = 64 * 1024;

const ratio = z.coerce.number().min(1).max(100).optional();
const ratioFields = z.object({ quality_ratio: ratio, medium_size_ratio: ratio, thumbnail_size_ratio: ratio });
const representationParams = z.object({ id: z.uuid() });
const capabilityQuery = z
  .object({ exp: z.coerce.number().int().positive().optional(), sig: z.string().max(100).optional() })
  .loose();

/** A MIME type worth storing as given; anything odder is stored as a plain byte stream. */
const PLAIN_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;

/**
 * Uploads and downloads: `POST /v1/image` as Stitch's `ips_url`, `POST /v3/media` for any file, and
 * `GET /v3/media/:id` by bearer token (Stitch's `fetchImage`) or by signed URL (`<img src>`).
 */
export function mediaRoutes(app: FastifyInstance, media: MediaService, options: MediaRouteOptions): void {
  const maxUpload = media.options.maxUpload;
  const authenticate = bearerAuth(options.tokens, options.userBuckets, options.appBuckets);

  void app.register(multipart, { limits: { files: 1, fileSize: maxUpload + 1 } });
  app.decorateRequest('principal', null);

  // Refuse what is announced too large before reading any of it.
  app.addHook('onRequest', (request, _reply, done) => {
    const length = Number(request.headers['content-length'] ?? 0);
    if (request.method === 'POST' && length > maxUpload + FORM_OVERHEAD) {
      dropRest(request, maxUpload);
      done(new ParleyError('media:error:too-large', `Uploads may have at most ${maxUpload} bytes`));
      return;
    }
    done();
  });

  const uploader = async (request: FastifyRequest, reply: FastifyReply): Promise<Principal> => {
    await authenticate(request, reply);
    const principal = principalOf(request);
    // Bytes cost allowance too: one request more for every MiB past the first.
    const length = Number(request.headers['content-length'] ?? 0);
    for (let mib = MIB; mib < length; mib += MIB) {
      const wait = principal.user
        ? options.userBuckets.take(`${principal.application.id}:${principal.user.id}`)
        : options.appBuckets.take(principal.application.id);
      if (wait > 0) {
        throw new ParleyError('system:error:rate-limited', 'Too many uploads; slow down', {
          retry_after: Math.ceil(wait * 1000) / 1000,
        });
      }
    }
    return principal;
  };

  /** Discards the unread remainder of a refused upload's body. */
  const refusing = async <T>(request: FastifyRequest, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      dropRest(request, maxUpload);
      throw error;
    }
  };

  app.post('/v1/image', async (request, reply) => {
    const principal = await uploader(request, reply);
    const stored = await refusing(request, async () => {
      const { result: bytes, fields } = await readUpload(request, maxUpload, (file) =>
        fileBuffer(file, maxUpload),
      );
      const ratios = ratiosFrom(fields);
      const renditions = await processImage(bytes, ratios, DEFAULT_IMAGE_LIMITS);
      return media.upload(principal, {
        kind: 'image',
        name: null,
        renditions: renditions.map(toNew),
      });
    });
    return reply.status(200).send(representationsBody(stored, media.urlOf));
  });

  app.post('/v3/media', async (request, reply) => {
    const principal = await uploader(request, reply);
    const { result: stored } = await refusing(request, () =>
      readUpload(request, maxUpload, async (file) => {
        const name = file.filename ? file.filename.slice(0, 255) : null;
        const type = file.mimetype.toLowerCase();
        // Whatever claims to be an image must be one: it is decoded and re-encoded like a Stitch upload.
        if (type.startsWith('image/')) {
          const bytes = await fileBuffer(file, maxUpload);
          const renditions = await processImage(bytes, STITCH_RATIOS, DEFAULT_IMAGE_LIMITS);
          return media.upload(principal, { kind: 'image', name, renditions: renditions.map(toNew) });
        }
        // Any other file is stored as it streams in, never held in memory whole.
        const rendition: NewRendition = {
          name: 'original',
          bytes: limited(file, maxUpload),
          contentType: PLAIN_TYPE.test(type) ? type : 'application/octet-stream',
        };
        return media.upload(principal, { kind: 'file', name, renditions: [rendition] });
      }),
    );
    return reply.status(201).send(mediaFileBody(stored, media.urlOf));
  });

  app.get('/v3/media/:id', async (request, reply) => {
    const { id } = validate(representationParams, request.params, 'path');
    const { exp, sig } = validate(capabilityQuery, request.query, 'query');
    if (sig !== undefined || exp !== undefined) {
      const found = await media.granted(id, exp ?? 0, sig ?? '');
      const remaining = (exp ?? 0) - Math.floor(Date.now() / 1000);
      return serveRepresentation(request, reply, media, found, remaining);
    }
    await authenticate(request, reply);
    return serveRepresentation(request, reply, media, await media.readable(principalOf(request), id));
  });

  /** A signed URL for `<img src>`, for whoever may read the representation. */
  app.get('/v3/media/:id/url', async (request, reply) => {
    const { id } = validate(representationParams, request.params, 'path');
    await authenticate(request, reply);
    await media.readable(principalOf(request), id);
    return media.signedUrl(id);
  });
}

/**
 * After refusing an upload, the rest of its body is read and thrown away (never kept) while the answer goes
 * out, then the connection is reused. Closing at once would reset it with unread data in flight, and the
 * client would lose the answer; a client that keeps sending past four times the limit is cut off.
 */
function dropRest(request: FastifyRequest, maxUpload: number): void {
  let dropped = 0;
  request.raw.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > 4 * maxUpload) request.raw.socket.destroy();
  });
  request.raw.resume();
}

function ratiosFrom(fields: Map<string, string>): ImageRatios {
  const parsed = validate(ratioFields, Object.fromEntries(fields), 'form');
  return {
    quality: parsed.quality_ratio ?? STITCH_RATIOS.quality,
    medium: parsed.medium_size_ratio ?? STITCH_RATIOS.medium,
    thumbnail: parsed.thumbnail_size_ratio ?? STITCH_RATIOS.thumbnail,
  };
}

const toNew = (r: Rendition): NewRendition => ({ ...r, bytes: once(r.data) });

async function* once(data: Buffer): AsyncGenerator<Uint8Array> {
  yield await Promise.resolve(data);
}
