import type { MediaKind, RepresentationName } from './media-records.js';

/** The media tables as Kysely sees them (migration 0003). */
export interface MediaTables {
  media: MediaTable;
  media_representations: MediaRepresentationsTable;
  media_refs: MediaRefsTable;
}

export interface MediaTable {
  id: string;
  application_id: string;
  owner_user_id: string | null;
  conversation_id: string | null;
  kind: MediaKind;
  name: string | null;
  created: string;
  referenced: string | null;
}

export interface MediaRepresentationsTable {
  id: string;
  media_id: string;
  name: RepresentationName;
  blob_key: string;
  content_type: string;
  size: number;
  width: number | null;
  height: number | null;
}

export interface MediaRefsTable {
  media_id: string;
  conversation_id: string;
  event_id: number;
}
