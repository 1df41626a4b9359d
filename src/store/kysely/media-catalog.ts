import type { Selectable } from 'kysely';
import type { MediaCatalog } from '../media/media-catalog.js';
import type { MediaRecord, RepresentationRecord } from '../media/media-records.js';
import type { MediaRepresentationsTable, MediaTable } from '../media/media-tables.js';
import type { SqlScope } from './sql-scope.js';

const toRepresentation = (row: Selectable<MediaRepresentationsTable>): RepresentationRecord => ({
  id: row.id,
  mediaId: row.media_id,
  name: row.name,
  blobKey: row.blob_key,
  contentType: row.content_type,
  size: Number(row.size),
  width: row.width === null ? null : Number(row.width),
  height: row.height === null ? null : Number(row.height),
});

const toMedia = (row: Selectable<MediaTable>, representations: RepresentationRecord[]): MediaRecord => ({
  id: row.id,
  applicationId: row.application_id,
  ownerUserId: row.owner_user_id,
  conversationId: row.conversation_id,
  kind: row.kind,
  name: row.name,
  created: row.created,
  referenced: row.referenced,
  representations,
});

const URL_KEY_SETTING = 'media_url_key';

/** The media tables: uploads, their renditions, and the events that refer to them. */
export function mediaCatalog(scope: SqlScope): MediaCatalog {
  const { db } = scope;
  const getMedia = async (id: string): Promise<MediaRecord | undefined> => {
    const row = await db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const reps = await db
      .selectFrom('media_representations')
      .selectAll()
      .where('media_id', '=', id)
      .execute();
    return toMedia(row, reps.map(toRepresentation));
  };
  const blobInUse = async (key: string): Promise<boolean> =>
    (await db
      .selectFrom('media_representations')
      .select('id')
      .where('blob_key', '=', key)
      .limit(1)
      .executeTakeFirst()) !== undefined;

  return {
    async createMedia(media) {
      await scope.transaction(async (tx) => {
        await tx.db
          .insertInto('media')
          .values({
            id: media.id,
            application_id: media.applicationId,
            owner_user_id: media.ownerUserId,
            conversation_id: media.conversationId,
            kind: media.kind,
            name: media.name,
            created: media.created,
            referenced: media.referenced,
          })
          .execute();
        await tx.db
          .insertInto('media_representations')
          .values(
            media.representations.map((r) => ({
              id: r.id,
              media_id: media.id,
              name: r.name,
              blob_key: r.blobKey,
              content_type: r.contentType,
              size: r.size,
              width: r.width,
              height: r.height,
            })),
          )
          .execute();
      });
      return media;
    },

    getMedia,

    async getRepresentation(id) {
      const row = await db
        .selectFrom('media_representations')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      const media = await getMedia(row.media_id);
      return media && { media, representation: toRepresentation(row) };
    },

    async addMediaRefs(refs, at) {
      if (refs.length === 0) return;
      await db
        .insertInto('media_refs')
        .values(
          refs.map((r) => ({ media_id: r.mediaId, conversation_id: r.conversationId, event_id: r.eventId })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
      for (const ref of refs) {
        await db
          .updateTable('media')
          .set({ referenced: at })
          .where('id', '=', ref.mediaId)
          .where('referenced', 'is', null)
          .execute();
        await db
          .updateTable('media')
          .set({ conversation_id: ref.conversationId })
          .where('id', '=', ref.mediaId)
          .where('conversation_id', 'is', null)
          .execute();
      }
    },

    async releaseMediaRefs(conversationId, eventId) {
      const released = await db
        .deleteFrom('media_refs')
        .where('conversation_id', '=', conversationId)
        .where('event_id', '=', eventId)
        .returning('media_id')
        .execute();
      const orphaned: string[] = [];
      for (const { media_id } of released) {
        const still = await db
          .selectFrom('media_refs')
          .select('media_id')
          .where('media_id', '=', media_id)
          .limit(1)
          .executeTakeFirst();
        if (!still) orphaned.push(media_id);
      }
      return orphaned;
    },

    async mediaReferencedIn(mediaId, conversationIds) {
      if (conversationIds.length === 0) return false;
      const row = await db
        .selectFrom('media_refs')
        .select('media_id')
        .where('media_id', '=', mediaId)
        .where('conversation_id', 'in', conversationIds)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    async mediaConversations(mediaId) {
      const rows = await db
        .selectFrom('media_refs')
        .select('conversation_id')
        .distinct()
        .where('media_id', '=', mediaId)
        .execute();
      return rows.map((r) => r.conversation_id);
    },

    async unreferencedMedia(before, limit) {
      const rows = await db
        .selectFrom('media')
        .select('id')
        .where('referenced', 'is', null)
        .where('created', '<', before)
        .orderBy('created')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },

    async deleteMedia(id) {
      return scope.transaction(async (tx) => {
        const keys = await tx.db
          .selectFrom('media_representations')
          .select('blob_key')
          .distinct()
          .where('media_id', '=', id)
          .execute();
        await tx.db.deleteFrom('media_refs').where('media_id', '=', id).execute();
        await tx.db.deleteFrom('media_representations').where('media_id', '=', id).execute();
        await tx.db.deleteFrom('media').where('id', '=', id).execute();
        const unused: string[] = [];
        for (const { blob_key } of keys) {
          const used = await tx.db
            .selectFrom('media_representations')
            .select('id')
            .where('blob_key', '=', blob_key)
            .limit(1)
            .executeTakeFirst();
          if (!used) unused.push(blob_key);
        }
        return unused;
      });
    },

    blobInUse,

    async mediaUrlKey(candidate) {
      await db
        .insertInto('settings')
        .values({ key: URL_KEY_SETTING, value: candidate })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const row = await db
        .selectFrom('settings')
        .select('value')
        .where('key', '=', URL_KEY_SETTING)
        .executeTakeFirstOrThrow();
      return row.value;
    },
  };
}
