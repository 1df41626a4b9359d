import type { PushedEvent, RealtimeConversation, RequestType } from '../protocol/realtime.js';
import type { HistoryQuery, RealtimeApi, ReplyOf } from '../protocol/realtime-api.js';
import { ClientErrorCode } from './codes.js';
import type { ConversationActions } from './conversation-actions.js';
import { ConversationEventLog, type ConversationEvents } from './conversation-events.js';
import { Emitter } from './emitter.js';
import { ParleyClientError } from './errors.js';
import { ConversationEvent } from './events/conversation-event.js';
import {
  postJson,
  postUpload,
  STITCH_RATIOS,
  type UploadableFile,
  type UploadOptions,
  type UploadTarget,
} from './media-upload.js';
import type { TextEvent } from './events/text-event.js';
import type { Logger } from './logger.js';
import type { Member } from './member.js';
import { MemberRoster } from './member-roster.js';
import type { RequestOptions } from './request-queue.js';
import { uuid } from './uuid.js';
import { parseAck, type OutgoingRequest, type User } from './wire.js';

export type { ConversationEvents } from './conversation-events.js';

/** Which page of history `getEvents` fetches: the `conversation:events` query. */
export type EventQuery = HistoryQuery;

export interface UserRef {
  user_id?: string;
  /** nexmo-stitch's name for `user_id`. */
  id?: string;
  user_name?: string;
}

/**
 * Where a conversation's members and history are: only listed (or heard of through a push), being fetched,
 * loaded and live, or closed (deleted, or you logged out).
 */
export type ConversationLoadState = 'listed' | 'loading' | 'loaded' | 'closed';

/** @internal What a Conversation needs from the Application that holds it. */
export interface ConversationHost {
  /** The logged-in user. */
  readonly me: User;
  readonly logger: Logger;
  isConnected(): boolean;
  /** Sends a request; resolves with its reply, checked and typed by the request's type. */
  request<K extends RequestType>(request: OutgoingRequest<K>, options?: RequestOptions): Promise<ReplyOf<K>>;
  /** Something failed in the background. */
  report(error: unknown): void;
  /** A member event was applied live (or a missed one surfaced); the Application announces those about you. */
  membershipChanged(conversation: Conversation, member: Member, event: ConversationEvent): void;
  /** The conversation was deleted, or could not be loaded and was never listed. */
  forget(conversation: Conversation): void;
  /** Where uploads go, with the session's token. */
  readonly upload: UploadTarget;
}

/** One conversation: its members, the events seen so far, and what you can do in it. */
export class Conversation extends Emitter<ConversationEvents> {
  readonly id: string;
  name: string | null = null;
  display_name: string | null = null;
  timestamp: RealtimeConversation['timestamp'] | null = null;
  private current: ConversationLoadState = 'listed';
  /** Named by a listing or a fetch, as opposed to only by a push: a failed load then does not drop it. */
  private listed = false;
  private listedSequence = 0;
  private loading: Promise<this> | null = null;
  /** Events pushed while members and history are being fetched, replayed once they are in. */
  private pending: PushedEvent[] = [];
  private readonly actions: ConversationActions = {
    conversation: this,
    removeMember: (member) => this.removeMember(member),
    deleteEvent: (event) => this.deleteEvent(event),
    sendReceipt: (type, event) => this.log.sendReceipt(type, event),
  };
  private readonly roster: MemberRoster;
  private readonly log: ConversationEventLog;

  /** @internal Conversations are made by the Application. */
  constructor(
    private readonly host: ConversationHost,
    id: string,
  ) {
    super();
    this.id = id;
    this.roster = new MemberRoster(this.actions, host.me);
    this.log = new ConversationEventLog({
      host,
      actions: this.actions,
      roster: this.roster,
      emit: (type, ...args) => this.emit(type, ...args),
      fetch: (query) => this.fetchEvents(query),
    });
  }

  /** Your own member, once you have one (its state may be INVITED, JOINED or LEFT). */
  get me(): Member | null {
    return this.roster.me;
  }

  get members(): ReadonlyMap<string, Member> {
    return this.roster.members;
  }

  /** Persisted events by id, oldest first: the recent history, then everything that arrives. */
  get events(): ReadonlyMap<number, ConversationEvent> {
    return this.log.events;
  }

  /** Whether members and history are in (`getConversation` loads them). */
  get loadState(): ConversationLoadState {
    return this.current;
  }

  /** The id of the newest event seen. */
  get sequence_number(): number {
    return this.current === 'listed' || this.current === 'loading'
      ? this.listedSequence
      : this.log.lastSeenId;
  }

  /** Joins yourself (accepting an invitation), or with `user_id`/`user_name` someone else. */
  async join(params?: UserRef): Promise<Member> {
    const body = params ? userRef(params) : { user_id: this.host.me.id };
    const member = this.roster.upsert(await this.request({ type: 'conversation:join', cid: this.id, body }));
    if (this.current !== 'loaded') await this.open().catch((e: unknown) => this.host.report(e));
    return member;
  }

  async leave(): Promise<Member> {
    return this.roster.requireMe().kick();
  }

  async invite(params: UserRef): Promise<Member> {
    const body = userRef(params);
    if (Object.keys(body).length === 0) {
      throw new ParleyClientError(
        ClientErrorCode.inviteMissingParams,
        'Name the user to invite by user_name or user_id',
      );
    }
    return this.roster.upsert(await this.request({ type: 'conversation:invite', cid: this.id, body }));
  }

  /**
   * Sends a message; resolves once the server has stored it. Sent while disconnected, it waits and goes out
   * after the reconnect, carrying one `client_ref` however often it is sent, so it is stored once.
   */
  async sendText(text: string): Promise<TextEvent> {
    const me = this.roster.requireMe();
    const ack = await this.request(
      { type: 'text', cid: this.id, from: me.id, body: { text }, client_ref: uuid() },
      { retry: true },
    );
    return this.log.acknowledged(ack, me.id, text);
  }

  /**
   * Uploads an image and sends it as an `image` event, as Stitch's `sendImage` does: the server re-encodes it
   * into `original`, `medium` and `thumbnail` (stripping its metadata), and the event's
   * `body.representations` carries their URLs. `onProgress` reports the upload in browsers.
   */
  async sendImage(file: UploadableFile, options: UploadOptions = {}): Promise<ConversationEvent> {
    const me = this.roster.requireMe();
    const representations = await postUpload(this.host.upload, '/v1/image', file, STITCH_RATIOS, options);
    if (typeof representations !== 'object' || representations === null) {
      throw new ParleyClientError(ClientErrorCode.badReply, 'The upload reply is not an object');
    }
    const body = { representations: representations as Record<string, unknown> };
    const ack = await this.request(
      { type: 'image', cid: this.id, from: me.id, body, client_ref: uuid() },
      { retry: true },
    );
    return this.log.events.get(ack.id) ?? this.ownEvent('image', ack, me.id, body);
  }

  /**
   * Uploads any file and sends it as a `message` event with `message_type` `file` (or `image` for an image,
   * which the server re-encodes), as Vonage's later SDKs do: `body.file.url` (or `body.image.url`).
   */
  async sendFile(file: UploadableFile, options: UploadOptions = {}): Promise<ConversationEvent> {
    const me = this.roster.requireMe();
    const stored = (await postUpload(this.host.upload, '/v3/media', file, {}, options)) as {
      url?: unknown;
      name?: unknown;
      size?: unknown;
      type?: unknown;
      representations?: unknown;
    };
    if (typeof stored.url !== 'string') {
      throw new ParleyClientError(ClientErrorCode.badReply, 'The upload reply has no url');
    }
    const kind = stored.representations === undefined ? 'file' : 'image';
    const attachment = { url: stored.url, name: stored.name, size: stored.size, type: stored.type };
    const body = { message_type: kind, [kind]: attachment };
    const ack = parseAck(
      await postJson(this.host.upload, `/v1/conversations/${this.id}/events`, {
        type: 'message',
        from: me.id,
        body,
        client_ref: uuid(),
      }),
    );
    return this.log.events.get(ack.id) ?? this.ownEvent('message', ack, me.id, body);
  }

  private ownEvent(
    type: string,
    ack: { id: number; timestamp: string },
    from: string,
    body: Record<string, unknown>,
  ): ConversationEvent {
    return new ConversationEvent(this.actions, {
      type,
      cid: this.id,
      id: ack.id,
      from,
      timestamp: ack.timestamp,
      body,
    });
  }

  /** Typing indications are dropped, not queued, while disconnected. */
  startTyping(): Promise<void> {
    return this.typing('text:typing:on', 1);
  }

  stopTyping(): Promise<void> {
    return this.typing('text:typing:off', 0);
  }

  /**
   * Fetches a page of events (oldest first) and returns it by id. Older ones are added to `events`; newer
   * ones than seen so far are delivered to listeners first, in order.
   */
  async getEvents(params: EventQuery = {}): Promise<Map<number, ConversationEvent>> {
    return this.log.addPage(await this.fetchEvents(params), this.current === 'loaded');
  }

  /** Deletes the conversation for everyone. */
  async del(): Promise<void> {
    await this.request({ type: 'conversation:delete', cid: this.id });
    this.host.forget(this);
  }

  async deleteEvent(event: ConversationEvent): Promise<void> {
    const me = this.roster.requireMe();
    if (event.id === undefined) throw new ParleyClientError(ClientErrorCode.notStored);
    await this.request({ type: 'event:delete', cid: this.id, from: me.id, body: { event_id: event.id } });
  }

  /** @internal Updates name and, for a conversation not yet loaded, your membership from a listing. */
  update(wire: RealtimeConversation): void {
    this.listed = true;
    this.name = wire.name;
    this.display_name = wire.display_name;
    this.timestamp = wire.timestamp;
    if (this.current !== 'listed' && this.current !== 'loading') return;
    this.listedSequence = wire.sequence_number;
    if (wire.member_id !== undefined && wire.state !== undefined)
      this.roster.listed(wire.member_id, wire.state);
  }

  /** @internal Loads members and history; once loaded, catches up and refreshes the members instead. */
  async open(): Promise<this> {
    if (this.current !== 'loaded') return this.load();
    this.log.catchUp();
    this.refresh(await this.request({ type: 'conversation:get', cid: this.id, body: {} }));
    return this;
  }

  /** @internal Takes the members snapshot and recent history, then replays what was pushed meanwhile. */
  start(wire: RealtimeConversation, history: readonly PushedEvent[]): void {
    this.update(wire);
    this.refresh(wire, true);
    this.log.load(history, wire.sequence_number);
    this.current = 'loaded';
    const pending = this.pending;
    this.pending = [];
    for (const event of pending) {
      // Already in the history, so it will not be emitted, but nobody had heard of it yet.
      if (event.id !== undefined && event.id <= this.log.lastSeenId) this.log.announce(event.id);
      this.log.receive(event);
    }
  }

  /** @internal A pushed event for this conversation: applied once loaded, else kept and a load started. */
  receive(event: PushedEvent): void {
    if (this.current === 'loaded') return this.log.receive(event);
    if (this.current === 'closed') return;
    if (event.type === 'conversation:deleted') return this.host.forget(this);
    // Ephemeral events (typing, presence) change nothing visible in a conversation not loaded.
    if (event.id === undefined) return;
    this.pending.push(event);
    if (this.current === 'listed') this.load().catch((error: unknown) => this.host.report(error));
  }

  /** @internal Announces your newest membership event (in a conversation you were added to while offline). */
  announceOwnMembership(): void {
    if (this.me) this.log.announceLatest(this.me);
  }

  /** @internal You are no longer in the conversation, as a listing after a reconnect shows. */
  markLeft(): void {
    if (this.me) this.me.state = 'LEFT';
  }

  /** @internal */
  close(): void {
    this.current = 'closed';
    this.pending = [];
    this.log.close();
  }

  /** Merges a members snapshot; see MemberRoster.merge. */
  private refresh(wire: RealtimeConversation, fullState = wire.sequence_number >= this.log.lastSeenId): void {
    this.roster.merge(wire.members ?? [], fullState);
  }

  /** One fetch at a time; pushes that arrive meanwhile wait in `pending`. */
  private load(): Promise<this> {
    this.loading ??= this.fetchAndStart().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async fetchAndStart(): Promise<this> {
    if (this.current === 'closed') return this;
    this.current = 'loading';
    try {
      const wire = await this.request({ type: 'conversation:get', cid: this.id, body: {} });
      const history = await this.request({ type: 'conversation:events', cid: this.id });
      if (this.current === 'loading') this.start(wire, history);
      return this;
    } catch (error) {
      this.pending = [];
      if (this.current === 'loading') this.current = 'listed';
      if (!this.listed) this.host.forget(this);
      throw error;
    }
  }

  private async removeMember(member: Member): Promise<Member> {
    try {
      const reply = await this.request({
        type: 'conversation:member:delete',
        cid: this.id,
        to: member.id,
        body: { member_id: member.id },
        ...(this.me ? { from: this.me.id } : {}),
      });
      return this.roster.upsert(reply);
    } catch (error) {
      // The member is gone; a reply that does not describe it only means we mark it ourselves.
      if (!(error instanceof ParleyClientError && error.type === ClientErrorCode.badReply)) throw error;
      member.state = 'LEFT';
      return member;
    }
  }

  private async fetchEvents(query: EventQuery): Promise<PushedEvent[]> {
    return this.request({ type: 'conversation:events', cid: this.id, body: { ...query } });
  }

  private async typing(type: 'text:typing:on' | 'text:typing:off', activity: 0 | 1): Promise<void> {
    if (!this.me || !this.host.isConnected()) return;
    await this.request({ type, cid: this.id, from: this.me.id, body: { activity } });
  }

  private request<K extends RequestType>(
    request: OutgoingRequest<K>,
    options?: RequestOptions,
  ): Promise<ReplyOf<K>> {
    return this.host.request(request, options);
  }
}

type UserBody = RealtimeApi['conversation:invite']['request']['body'];

function userRef({ user_id, id, user_name }: UserRef): UserBody {
  const userId = user_id ?? id;
  if (userId !== undefined) return { user_id: userId };
  return user_name !== undefined ? { user_name } : {};
}
