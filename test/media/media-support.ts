import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import type { TestServer } from '../support/test-server.js';

/** A JPEG of `width`×`height` carrying EXIF with a GPS position, as a phone camera writes it. */
export async function jpegWithGps(width = 640, height = 480): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } } })
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: 'PhoneCo', Model: 'Snapper 9' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '51/1 30/1 2637/100',
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 3974/100',
      },
    })
    .toBuffer();
}

export async function png(width = 64, height = 64): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 0, g: 128, b: 255, alpha: 1 } } })
    .png()
    .toBuffer();
}

export interface UploadReply {
  status: number;
  body: Record<string, unknown>;
}

/** Posts a multipart form as Stitch's `sendImage` builds it: the file first, then the ratios. */
export async function postForm(
  server: TestServer,
  path: string,
  token: string | undefined,
  file: { bytes: Buffer; type: string; name: string },
  fields: Record<string, string> = {},
): Promise<UploadReply> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${server.url}${path}`, { method: 'POST', body: form, headers });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

export const stitchRatios = { quality_ratio: '100', medium_size_ratio: '50', thumbnail_size_ratio: '30' };

export async function getBytes(url: string, token?: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers,
  });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

/**
 * A decompression bomb's header: a tiny PNG whose IHDR claims `width`×`height`. A decoder that trusted it
 * would allocate for every claimed pixel.
 */
export async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const bytes = Buffer.from(await png(1, 1));
  // Signature (8), then the IHDR chunk: length (4), type (4), width (4), height (4), ..., CRC over type+data.
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  bytes.writeUInt32BE(crc32(bytes.subarray(12, 29)), 29);
  return bytes;
}
