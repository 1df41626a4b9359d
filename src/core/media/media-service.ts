import { randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ParleyError } from '../../protocol/errors.js';
import type {
  MediaKind,
  MediaRecord,
  RepresentationName,
  RepresentationRecord,
} from '../../store/media/media-records.js';
import type { ByteRange, MediaStore } from '../../store/media/media-store.js';
import type { AppendGuard, UserRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import { JOINED, VISIBLE_STATES, Access } from '../access.js';
import type { Principal } from '../auth/principal.js';
import type { EventSink } from '../event-sink.js';
import type { EventView } from '../views.js';
import { MEDIA_ROUTE, MediaUrlSigner, representationIdIn } from './media-urls.js';
import { representationsBody } from './media-wire.js';

export interface MediaOptions {
  /** Where clients reach this server, e.g. `https://chat.example.com`; media URLs in events start with it. */
  baseUrl: () => string;
  /** Largest upload, bytes. */
  maxUpload: number;
  /** Lifetime of a signed media URL, seconds. */
  urlTtlSeconds: number;
  /** An upload no event referred to within this long is swept. */
  sweepAfterMs: number;
}

export interface NewRendition {
  name: RepresentationName;
  bytes: AsyncIterable<Uint8Array>;
  contentType: string;
  width?: number | undefined;
  height?: number | undefined;
}

export interface MediaEventInput {
  type: string;
  from?: string | undefined;
  body: Record<string, unknown>;
  clientRef?: string | undefined;
}

/** `message_type`s whose body carries `{<type>: {url}}`, as Vonage's message events do; custom, text and others pass. */
const ATTACHMENT_TYPES = new Set(['image', 'file', 'video', 'audio', 'vcard']);

/** A representation with the upload it belongs to. */
export interface Found {
  media: MediaRecord;
  representation: RepresentationRecord;
}

/** A blob this young may belong to an upload still writing its metadata, so nothing deletes it yet. */
const BLOB_GRACE_MS = 60 * 60 * 1000;
const SWEEP_BATCH = 500;

/**
 * Uploads, who may read them, and the events that show them. An event may refer only to media its sender
 * uploaded; the event and its references commit together, so no event names media that a sweep could remove.
 */
export class MediaService {
  private readonly access: Access;
  private signer: MediaUrlSigner | undefined;

  constructor(
    private readonly store: Store,
    readonly blobs: MediaStore,
    private readonly sink: EventSink,
    readonly options: MediaOptions,
  ) {
    this.access = new Access(store);
  }

  /** Loads (or, on a new database, makes) the key every node signs media URLs with. */
  async init(): Promise<void> {
    const key = await this.store.mediaUrlKey(randomBytes(32).toString('base64url'));
    this.signer = new MediaUrlSigner(Buffer.from(key, 'base64url'));
  }

  urlOf = (representationId: string): string => `${this.options.baseUrl()}${MEDIA_ROUTE}${representationId}`;

  /** A URL for `<img src>`: the representation's URL with a capability valid for the configured lifetime. */
  signedUrl(representationId: string, nowMs = Date.now()): { url: string; expires: number } {
    const expires = Math.floor(nowMs / 1000) + this.options.urlTtlSeconds;
    const sig = this.requireSigner().sign(representationId, expires);
    return { url: `${this.urlOf(representationId)}?exp=${expires}&sig=${sig}`, expires };
  }

  /** Stores renditions of one upload (all or none) owned by the principal. */
  async upload(
    principal: Principal,
    input: { kind: MediaKind; name: string | null; renditions: NewRendition[] },
  ): Promise<MediaRecord> {
    const mediaId = `MED-${randomUUID()}`;
    const representations: RepresentationRecord[] = [];
    for (const rendition of input.renditions) {
      const blob = await this.blobs.put(rendition.bytes, this.options.maxUpload);
      representations.push({
        id: randomUUID(),
        mediaId,
        name: rendition.name,
        blobKey: blob.key,
        contentType: rendition.contentType,
        size: blob.size,
        width: rendition.width ?? null,
        height: rendition.height ?? null,
      });
    }
    return this.store.createMedia({
      id: mediaId,
      applicationId: principal.application.id,
      ownerUserId: principal.user?.id ?? null,
      conversationId: null,
      kind: input.kind,
      name: input.name,
      created: new Date().toISOString(),
      referenced: null,
      representations,
    });
  }

  /**
   * A representation the bearer may read: the application's own media, the uploader's, or media that an event
   * in a conversation the user belongs to refers to. Anything else is "not found", so ids cannot be probed.
   */
  async readable(principal: Principal, representationId: string): Promise<Found> {
    const found = await this.store.getRepresentation(representationId);
    if (!found || found.media.applicationId !== principal.application.id) throw notFound();
    const user = principal.user;
    if (!user || found.media.ownerUserId === user.id) return found;
    for (const cid of await this.store.mediaConversations(found.media.id)) {
      const member = await this.store.getMemberByUser(cid, user.id);
      if (member && VISIBLE_STATES.includes(member.state)) return found;
    }
    throw notFound();
  }

  /** A representation a signed URL grants. */
  async granted(representationId: string, exp: number, sig: string, nowMs = Date.now()): Promise<Found> {
    if (!this.requireSigner().verify(representationId, exp, sig, Math.floor(nowMs / 1000))) {
      throw new ParleyError('media:error:invalid-capability');
    }
    const found = await this.store.getRepresentation(representationId);
    if (!found) throw notFound();
    return found;
  }

  async open(representation: RepresentationRecord, range?: ByteRange): Promise<Readable> {
    const stream = await this.blobs.get(representation.blobKey, range);
    if (!stream) throw notFound();
    return stream;
  }

  /** Whether this event type and body carry media that `send` must check. */
  static carriesMedia(type: string, body: Record<string, unknown>): boolean {
    if (type === 'image') return true;
    return (
      type === 'message' && typeof body.message_type === 'string' && ATTACHMENT_TYPES.has(body.message_type)
    );
  }

  /**
   * Appends an `image` event or a `message` with an attachment as `principal` (over REST: its joined member,
   * or for an application any joined member or the system). With `memberId`, as a realtime session's known
   * member, checked inside the commit.
   */
  async send(
    principal: Principal,
    cid: string,
    input: MediaEventInput,
    memberId?: string,
  ): Promise<EventView> {
    let from: string | null = input.from ?? null;
    let sender: UserRecord | null = principal.user;
    let guard: AppendGuard | undefined;
    if (memberId !== undefined && principal.user) {
      from = memberId;
      guard = { memberId, userId: principal.user.id };
    } else {
      await this.access.conversation(principal, cid);
      const self = await this.access.self(principal, cid, JOINED);
      if (self) {
        if (from !== null && from !== self.id) throw new ParleyError('event:error:invalid-from');
        from = self.id;
        guard = { memberId: self.id, userId: self.userId };
      } else if (from !== null) {
        const member = await this.store.getMember(from);
        if (!member || member.conversationId !== cid || member.state !== 'JOINED') {
          throw new ParleyError('event:error:invalid-from');
        }
        sender = (await this.store.getUser(member.userId)) ?? null;
      }
    }
    const { body, mediaIds } = await this.checkedBody(principal, sender, input.type, input.body);
    const at = new Date().toISOString();
    const events = await this.store.transaction(async (tx) => {
      const appended = await tx.appendEvents(
        cid,
        [{ type: input.type, from, body, clientRef: input.clientRef ?? null }],
        at,
        guard,
      );
      const event = appended[0];
      if (event)
        await tx.addMediaRefs(
          mediaIds.map((mediaId) => ({ mediaId, conversationId: cid, eventId: event.id })),
          at,
        );
      return appended;
    });
    const event = events[0];
    if (!event) throw new ParleyError('system:error:internal', 'The store appended no event');
    this.sink.publish(cid, events);
    return { event, fromUser: sender };
  }

  /** The body to store, with Parley's media URLs checked against the sender and written canonically. */
  private async checkedBody(
    principal: Principal,
    sender: UserRecord | null,
    type: string,
    body: Record<string, unknown>,
  ): Promise<{ body: Record<string, unknown>; mediaIds: string[] }> {
    if (type === 'image') {
      const reps = body.representations;
      const media = await this.mediaNamedBy(reps);
      if (!media) throw invalidMedia('body.representations', 'must be the reply of POST /v1/image');
      this.checkOwner(principal, sender, media);
      return { body: { representations: representationsBody(media, this.urlOf) }, mediaIds: [media.id] };
    }
    const kind = body.message_type;
    if (typeof kind !== 'string') return { body, mediaIds: [] };
    const attachment = body[kind];
    if (typeof attachment !== 'object' || attachment === null || Array.isArray(attachment)) {
      throw invalidMedia(`body.${kind}`, 'must be an object with a url');
    }
    const { url } = attachment as { url?: unknown };
    if (typeof url !== 'string' || url.length > 2048) throw invalidMedia(`body.${kind}.url`, 'must be a URL');
    const repId = representationIdIn(url);
    // A URL elsewhere is the sender's own business, as with Vonage; only Parley's media are checked.
    if (repId === undefined) return { body, mediaIds: [] };
    const found = await this.store.getRepresentation(repId);
    if (!found) throw invalidMedia(`body.${kind}.url`, 'names no stored media');
    this.checkOwner(principal, sender, found.media);
    const rep = found.representation;
    const canonical: Record<string, unknown> = {
      ...(attachment as Record<string, unknown>),
      url: this.urlOf(rep.id),
      type: rep.contentType,
      size: rep.size,
    };
    if (found.media.name !== null) canonical.name = found.media.name;
    if (rep.width !== null) canonical.width = rep.width;
    if (rep.height !== null) canonical.height = rep.height;
    return { body: { ...body, [kind]: canonical }, mediaIds: [found.media.id] };
  }

  /** The media that Stitch's representations object names, by its `id` or by any representation's URL. */
  private async mediaNamedBy(reps: unknown): Promise<MediaRecord | undefined> {
    if (typeof reps !== 'object' || reps === null) return undefined;
    const record = reps as Record<string, unknown>;
    if (typeof record.id === 'string' && record.id.startsWith('MED-')) {
      return this.store.getMedia(record.id.slice(0, 100));
    }
    for (const value of Object.values(record)) {
      const url = typeof value === 'object' && value !== null ? (value as { url?: unknown }).url : undefined;
      const repId = typeof url === 'string' ? representationIdIn(url) : undefined;
      if (repId) return (await this.store.getRepresentation(repId))?.media;
    }
    return undefined;
  }

  private checkOwner(principal: Principal, sender: UserRecord | null, media: MediaRecord): void {
    const sameApp = media.applicationId === principal.application.id;
    const owner = principal.user
      ? media.ownerUserId === principal.user.id
      : media.ownerUserId === null || media.ownerUserId === sender?.id;
    if (!sameApp || !owner) throw new ParleyError('media:error:not-owner');
  }

  /** After `event:delete`: drops the event's references and deletes media that no event shows any more. */
  async release(cid: string, eventId: number): Promise<void> {
    const orphaned = await this.store.releaseMediaRefs(cid, eventId);
    for (const id of orphaned) await this.remove(id, Date.now());
  }

  /**
   * Deletes uploads no event referred to within `sweepAfterMs`, and blobs that no metadata names (left by a
   * crash between writing the bytes and their row). Returns how many uploads and blobs went.
   */
  async sweep(nowMs = Date.now()): Promise<{ media: number; blobs: number }> {
    let media = 0;
    const before = new Date(nowMs - this.options.sweepAfterMs).toISOString();
    for (;;) {
      const ids = await this.store.unreferencedMedia(before, SWEEP_BATCH);
      for (const id of ids) await this.remove(id, nowMs);
      media += ids.length;
      if (ids.length < SWEEP_BATCH) break;
    }
    let blobs = 0;
    const graceBefore = new Date(nowMs - BLOB_GRACE_MS).toISOString();
    for await (const blob of this.blobs.list()) {
      if (blob.created < graceBefore && !(await this.store.blobInUse(blob.key))) {
        if (await this.blobs.delete(blob.key)) blobs++;
      }
    }
    return { media, blobs };
  }

  private async remove(mediaId: string, nowMs: number): Promise<void> {
    const unused = await this.store.deleteMedia(mediaId);
    const graceBefore = new Date(nowMs - BLOB_GRACE_MS).toISOString();
    for (const key of unused) {
      // The same bytes may be arriving in a new upload right now; a young blob is left to the sweep.
      const info = await this.blobs.stat(key);
      if (info && info.created < graceBefore && !(await this.store.blobInUse(key)))
        await this.blobs.delete(key);
    }
  }

  private requireSigner(): MediaUrlSigner {
    if (!this.signer) throw new Error('MediaService.init() was not awaited');
    return this.signer;
  }
}

const notFound = (): ParleyError => new ParleyError('media:error:not-found');

const invalidMedia = (name: string, reason: string): ParleyError =>
  new ParleyError('http:error:validation-fail', `Invalid ${name}: ${reason}`, {
    invalid_parameters: [{ name, reason }],
  });
