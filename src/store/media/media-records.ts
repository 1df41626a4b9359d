/** Uploaded media as the domain sees it; times are ISO-8601 UTC strings. */

export type MediaKind = 'image' | 'file';

/** The names Stitch gives an image's three renditions; a plain file has only `original`. */
export type RepresentationName = 'original' | 'medium' | 'thumbnail';

export interface RepresentationRecord {
  id: string;
  mediaId: string;
  name: RepresentationName;
  /** The content-addressed key of the bytes in the MediaStore. */
  blobKey: string;
  contentType: string;
  size: number;
  width: number | null;
  height: number | null;
}

export interface MediaRecord {
  id: string;
  applicationId: string;
  /** The user who uploaded it; null when the application did. */
  ownerUserId: string | null;
  /** The conversation an event first posted it to. */
  conversationId: string | null;
  kind: MediaKind;
  /** The file name the uploader gave, for display and downloads only. */
  name: string | null;
  created: string;
  /** When an event first referred to it; null for an upload not (yet) posted anywhere. */
  referenced: string | null;
  representations: RepresentationRecord[];
}

/** One event's use of one upload. */
export interface MediaRef {
  mediaId: string;
  conversationId: string;
  eventId: number;
}
