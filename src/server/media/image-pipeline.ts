import sharp from 'sharp';
import { ParleyError } from '../../protocol/errors.js';
import type { RepresentationName } from '../../store/media/media-records.js';

/** Raster formats decoded from uploads; anything else (SVG, PDF, HTML claiming to be PNG) is refused. */
const ACCEPTED = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif']);

/** Formats re-encoded as themselves; the others (HEIF, AVIF) become JPEG, which every browser shows. */
const OUTPUT: Record<string, { format: 'jpeg' | 'png' | 'webp' | 'gif'; type: string }> = {
  jpeg: { format: 'jpeg', type: 'image/jpeg' },
  png: { format: 'png', type: 'image/png' },
  webp: { format: 'webp', type: 'image/webp' },
  gif: { format: 'gif', type: 'image/gif' },
};
const FALLBACK = { format: 'jpeg', type: 'image/jpeg' } as const;

export interface ImageLimits {
  /** Largest width × height decoded; a small file that inflates to more is a decompression bomb. */
  maxPixels: number;
  /** Largest width or height. */
  maxDimension: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxPixels: 40_000_000, maxDimension: 16_384 };

/** Stitch's `sendImage` parameters, all percentages. */
export interface ImageRatios {
  quality: number;
  medium: number;
  thumbnail: number;
}

export const STITCH_RATIOS: ImageRatios = { quality: 100, medium: 50, thumbnail: 30 };

export interface Rendition {
  name: RepresentationName;
  data: Buffer;
  contentType: string;
  width: number;
  height: number;
}

/**
 * Decodes an upload and re-encodes it three times (original size, medium, thumbnail). Re-encoding writes no
 * metadata, so EXIF (GPS position, camera serials) and embedded profiles never reach other users; the
 * orientation EXIF carried is applied to the pixels first. Only the first frame of an animation is kept.
 */
export async function processImage(
  input: Buffer,
  ratios: ImageRatios,
  limits: ImageLimits,
): Promise<Rendition[]> {
  let meta: sharp.Metadata;
  try {
    // Reading the header decodes no pixels; the size it claims is checked below, before any decoding.
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw new ParleyError('media:error:unsupported-type', 'The file is not an image Parley can read');
  }
  if (!meta.format || !ACCEPTED.has(meta.format)) {
    throw new ParleyError(
      'media:error:unsupported-type',
      `Images must be JPEG, PNG, WebP, GIF, AVIF or HEIF`,
    );
  }
  const width = meta.width;
  const height = meta.height;
  if (!width || !height) throw new ParleyError('media:error:unsupported-type', 'The image has no size');
  if (width > limits.maxDimension || height > limits.maxDimension || width * height > limits.maxPixels) {
    throw new ParleyError(
      'media:error:too-many-pixels',
      `Images may be at most ${limits.maxDimension} pixels a side and ${limits.maxPixels} pixels in all`,
    );
  }
  const output = OUTPUT[meta.format] ?? FALLBACK;
  const quality = clampPercent(ratios.quality);
  try {
    const original = await render(input, limits, output, quality, 100);
    const medium = await render(input, limits, output, quality, clampPercent(ratios.medium));
    const thumbnail = await render(input, limits, output, quality, clampPercent(ratios.thumbnail));
    return [
      { name: 'original', ...original, contentType: output.type },
      { name: 'medium', ...medium, contentType: output.type },
      { name: 'thumbnail', ...thumbnail, contentType: output.type },
    ];
  } catch (error) {
    if (error instanceof ParleyError) throw error;
    throw new ParleyError('media:error:unsupported-type', 'The image is damaged or truncated');
  }
}

async function render(
  input: Buffer,
  limits: ImageLimits,
  output: { format: 'jpeg' | 'png' | 'webp' | 'gif' },
  quality: number,
  percent: number,
): Promise<{ data: Buffer; width: number; height: number }> {
  // `failOn: 'error'` refuses truncated data instead of rendering grey; rotate() applies EXIF orientation.
  let pipeline = sharp(input, { limitInputPixels: limits.maxPixels, failOn: 'error' }).rotate();
  if (percent < 100) {
    const meta = await sharp(input, { limitInputPixels: limits.maxPixels }).metadata();
    const upright = (meta.orientation ?? 1) >= 5;
    const w = (upright ? meta.height : meta.width) ?? 1;
    pipeline = pipeline.resize({
      width: Math.max(1, Math.round((w * percent) / 100)),
      withoutEnlargement: true,
    });
  }
  pipeline = pipeline.toFormat(
    output.format,
    output.format === 'png' || output.format === 'gif' ? {} : { quality },
  );
  const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

const clampPercent = (n: number): number =>
  Number.isFinite(n) ? Math.min(100, Math.max(1, Math.round(n))) : 100;

/** Whether browsers may show this type inline: raster images only. Everything else is served as a download. */
export const isInlineRaster = (contentType: string): boolean =>
  ['image/jpeg', 'image/png', 'image/webp', 'image/gif'].includes(contentType);
