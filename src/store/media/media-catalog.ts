import type { MediaRecord, MediaRef, RepresentationRecord } from './media-records.js';

/**
 * The database side of media: upload metadata and the events that refer to each upload. Part of the Store, so
 * that an event and its references commit in one transaction.
 */
export interface MediaCatalog {
  createMedia(media: MediaRecord): Promise<MediaRecord>;
  getMedia(id: string): Promise<MediaRecord | undefined>;
  /** The representation with this id, with the upload it belongs to. */
  getRepresentation(
    id: string,
  ): Promise<{ media: MediaRecord; representation: RepresentationRecord } | undefined>;
  /** Records that these events refer to these uploads, marking each upload referenced. */
  addMediaRefs(refs: MediaRef[], at: string): Promise<void>;
  /** Removes one event's references; returns the uploads that no event refers to any more. */
  releaseMediaRefs(conversationId: string, eventId: number): Promise<string[]>;
  /** Whether a member of `conversationId` may see the upload: an event there refers to it. */
  mediaReferencedIn(mediaId: string, conversationIds: readonly string[]): Promise<boolean>;
  /** Conversations whose events refer to the upload. */
  mediaConversations(mediaId: string): Promise<string[]>;
  /** Uploads created before `before` that no event ever referred to. */
  unreferencedMedia(before: string, limit: number): Promise<string[]>;
  /** Deletes the upload's rows; returns blob keys no remaining representation names. */
  deleteMedia(id: string): Promise<string[]>;
  /**
   * The key that signs media URLs, shared by every node: `candidate` is stored unless a key already is, and
   * the stored one is returned either way.
   */
  mediaUrlKey(candidate: string): Promise<string>;
  /** Whether any representation names this blob. */
  blobInUse(key: string): Promise<boolean>;
}
