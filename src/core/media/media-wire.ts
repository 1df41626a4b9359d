import type { MediaRecord, RepresentationRecord } from '../../store/media/media-records.js';

/** One rendition as Stitch's image service described it, with the image's size in pixels. */
export interface RepresentationBody {
  id: string;
  url: string;
  type: string;
  size: number;
  width?: number;
  height?: number;
}

/** The `POST /v1/image` reply, which Stitch sends verbatim as an `image` event's `body.representations`. */
export interface RepresentationsBody {
  id: string;
  original: RepresentationBody;
  medium?: RepresentationBody;
  thumbnail?: RepresentationBody;
}

/** The `POST /v3/media` reply: one stored file. */
export interface MediaFileBody {
  id: string;
  url: string;
  type: string;
  size: number;
  name: string | null;
  width?: number;
  height?: number;
  representations?: RepresentationsBody;
}

export function representationBody(rep: RepresentationRecord, url: string): RepresentationBody {
  const body: RepresentationBody = { id: rep.id, url, type: rep.contentType, size: rep.size };
  if (rep.width !== null) body.width = rep.width;
  if (rep.height !== null) body.height = rep.height;
  return body;
}

export function representationsBody(media: MediaRecord, urlOf: (id: string) => string): RepresentationsBody {
  const byName = new Map(media.representations.map((r) => [r.name, r]));
  const original = byName.get('original');
  if (!original) throw new Error(`media ${media.id} has no original`);
  const out: RepresentationsBody = {
    id: media.id,
    original: representationBody(original, urlOf(original.id)),
  };
  const medium = byName.get('medium');
  const thumbnail = byName.get('thumbnail');
  if (medium) out.medium = representationBody(medium, urlOf(medium.id));
  if (thumbnail) out.thumbnail = representationBody(thumbnail, urlOf(thumbnail.id));
  return out;
}

export function mediaFileBody(media: MediaRecord, urlOf: (id: string) => string): MediaFileBody {
  const reps = representationsBody(media, urlOf);
  const body: MediaFileBody = { ...reps.original, id: media.id, name: media.name };
  if (media.kind === 'image') body.representations = reps;
  return body;
}
