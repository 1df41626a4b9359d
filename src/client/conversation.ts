import type { PushedEvent, RealtimeConversation } from '../protocol/realtime.js';
import type { Application } from './application.js';
import { ClientErrorCode, ConnectionState } from './codes.js';
import { Emitter } from './emitter.js';
import { ParleyClientError } from './errors.js';
import { EventSequencer } from './event-sequencer.js';
import { ConversationEvent } from './events/conversation-event.js';
import { TextEvent } from './events/text-event.js';
import type { Member } from './member.js';
import { MemberRoster } from './member-roster.js';
import type { OutgoingRequest, RequestOptions } from './request-queue.js';
import { uuid } from './uuid.js';
import { eventId, isRecord, parseAck, parseEvents, parseMember } from './wire.js';

/** Listener arguments per event type: who it is from (or, for member events, about) and the event. */
export interface ConversationEvents {
  text: [sender: Member | null, event: TextEvent];
  'text:typing:on': [sender: Member | null, event: ConversationEvent];
  'text:typing:off': [sender: Member | null, event: ConversationEvent];
  /** Carries the message that was marked when it is known, else the receipt itself. */
  'text:delivered': [sender: Member | null, event: ConversationEvent];
  /** Carries the message that was marked when it is known, else the receipt itself. */
  'text:seen': [sender: Member | null, event: ConversationEvent];
  /** Carries the deleted message when it is known, else the `event:delete` event itself. */
  'event:delete': [sender: Member | null, event: ConversationEvent];
  'member:joined': [member: Member, event: ConversationEvent];
  'member:invited': [member: Member, event: ConversationEvent];
  'member:left': [member: Member, event: ConversationEvent];
  'presence:update': [member: Member | null, event: ConversationEvent];
  'conversation:deleted': [sender: Member | null, event: ConversationEvent];
  /** Every event of any type (custom ones too), after its own listeners. */
  event: [sender: Member | null, event: ConversationEvent];
}

export interface EventQuery {
  start_id?: number;
  end_id?: number;
  /** At most 1000. */
  page_size?: number;
  /** `desc` picks the newest page; pages always come back oldest first. */
  order?: 'asc' | 'desc';
}

export interface UserRef {
  user_id?: string;
  /** nexmo-stitch's name for `user_id`. */
  id?: string;
  user_name?: string;
}

/** How an event is applied: live (emitted, receipts sent) or as history (state only). */
interface Replay {
  emit: boolean;
  live: boolean;
  /** Whether member events may change member state (history older than the member snapshot may not). */
  members: boolean;
}

/** Types emitted under their own name with `(sender, subject)`; text and member events have their own shapes. */
const RELAYED = [
  'text:typing:on',
  'text:typing:off',
  'text:seen',
  'text:delivered',
  'event:delete',
  'presence:update',
  'conversation:deleted',
] as const;
const isRelayed = (type: string): type is (typeof RELAYED)[number] =>
  (RELAYED as readonly string[]).includes(type);

const LIVE: Replay = { emit: true, live: true, members: true };
const CAUGHT_UP: Replay = { emit: true, live: false, members: true };

/** One conversation: its members, the events seen so far, and what you can do in it. */
export class Conversation extends Emitter<ConversationEvents> {
  readonly id: string;
  name: string | null = null;
  display_name: string | null = null;
  timestamp: RealtimeConversation['timestamp'] | null = null;
  /** Persisted events by id, oldest first: the recent history, then everything that arrives. */
  readonly events = new Map<number, ConversationEvent>();
  /** @internal Whether members and history have been fetched; until then events wait in the Application. */
  loaded = false;
  private listedSequence = 0;
  private readonly roster = new MemberRoster(this);
  /** Pushed events, as opposed to ones fetched to fill a gap: only these get an automatic delivery receipt. */
  private readonly pushed = new WeakSet<PushedEvent>();
  private readonly sequencer: EventSequencer;
  /** Own messages acknowledged before their event arrived, so the event reuses the object sendText returned. */
  private readonly acked = new Map<number, TextEvent>();

  constructor(
    readonly application: Application,
    wire: RealtimeConversation,
  ) {
    super();
    this.id = wire.id;
    this.sequencer = new EventSequencer(0, {
      fetch: (startId, pageSize) => this.fetchEvents({ start_id: startId, page_size: pageSize }),
      deliver: (event) => this.apply(event, this.pushed.delete(event) ? LIVE : CAUGHT_UP),
      failed: (error) => this.application.report(error),
    });
    this.update(wire);
  }

  /** Your own member, once you have one (its state may be INVITED, JOINED or LEFT). */
  get me(): Member | null {
    return this.roster.me;
  }

  get members(): Map<string, Member> {
    return this.roster.members;
  }

  /** The id of the newest event seen. */
  get sequence_number(): number {
    return this.loaded ? this.sequencer.lastSeenId : this.listedSequence;
  }

  /** Joins yourself (accepting an invitation), or with `user_id`/`user_name` someone else. */
  async join(params?: UserRef): Promise<Member> {
    const body = params ? userRef(params) : { user_id: this.application.me.id };
    const member = this.roster.upsert(
      parseMember(await this.request({ type: 'conversation:join', cid: this.id, body })),
    );
    if (!this.loaded)
      await this.application.getConversation(this.id).catch((e: unknown) => this.application.report(e));
    return member;
  }

  async leave(): Promise<Member> {
    return this.requireMe().kick();
  }

  async invite(params: UserRef): Promise<Member> {
    const body = userRef(params);
    if (Object.keys(body).length === 0) {
      throw new ParleyClientError(
        ClientErrorCode.inviteMissingParams,
        'Name the user to invite by user_name or user_id',
      );
    }
    return this.roster.upsert(
      parseMember(await this.request({ type: 'conversation:invite', cid: this.id, body })),
    );
  }

  /**
   * Sends a message; resolves once the server has stored it. Sent while disconnected, it waits and goes out
   * after the reconnect, carrying one `client_ref` however often it is sent, so it is stored once.
   */
  async sendText(text: string): Promise<TextEvent> {
    const me = this.requireMe();
    const request: OutgoingRequest = {
      type: 'text',
      cid: this.id,
      from: me.id,
      body: { text },
      client_ref: uuid(),
    };
    const ack = parseAck(await this.request(request, { retry: true }));
    const arrived = this.events.get(ack.id);
    if (arrived instanceof TextEvent) return arrived;
    const own = new TextEvent(this, {
      type: 'text',
      cid: this.id,
      id: ack.id,
      from: me.id,
      timestamp: ack.timestamp,
      body: { text },
    });
    if (ack.id > this.sequencer.lastSeenId) this.acked.set(ack.id, own);
    return own;
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
    const page = await this.fetchEvents(params);
    const result = new Map<number, ConversationEvent>();
    let added = false;
    for (const wire of page) {
      const id = wire.id ?? 0;
      if (this.loaded && id > this.sequencer.lastSeenId) {
        this.sequencer.push(wire);
      } else if (!this.events.has(id)) {
        this.apply(wire, { emit: false, live: false, members: false });
        added = true;
      }
      result.set(id, this.events.get(id) ?? this.toEvent(wire));
    }
    if (added) this.sortEvents();
    return result;
  }

  /** Deletes the conversation for everyone. */
  async del(): Promise<void> {
    await this.request({ type: 'conversation:delete', cid: this.id });
    this.application.forget(this);
  }

  async deleteEvent(event: ConversationEvent): Promise<void> {
    const me = this.requireMe();
    await this.request({ type: 'event:delete', cid: this.id, from: me.id, body: { event_id: event.id } });
  }

  /** @internal */
  async removeMember(member: Member): Promise<Member> {
    const request: OutgoingRequest = {
      type: 'conversation:member:delete',
      cid: this.id,
      to: member.id,
      body: { member_id: member.id },
    };
    if (this.me) request.from = this.me.id;
    const reply = await this.request(request);
    try {
      return this.roster.upsert(parseMember(reply));
    } catch {
      member.state = 'LEFT';
      return member;
    }
  }

  /** @internal */
  async sendReceipt(type: 'text:seen' | 'text:delivered', event: TextEvent): Promise<void> {
    const me = this.requireMe();
    const seen = type === 'text:seen';
    if (event.from === me.id) {
      throw new ParleyClientError(
        seen ? ClientErrorCode.seenOwnMessage : ClientErrorCode.deliveredOwnMessage,
      );
    }
    const marks = seen ? event.state.seen_by : event.state.delivered_to;
    if (marks[me.id] !== undefined) {
      if (seen) throw new ParleyClientError(ClientErrorCode.alreadySeen);
      return;
    }
    if (!seen && this.application.state !== ConnectionState.Connected) return;
    const reply = await this.request({ type, cid: this.id, from: me.id, body: { event_id: event.id } });
    const stamp = isRecord(reply) && typeof reply.timestamp === 'string' ? reply.timestamp : undefined;
    if (seen && stamp !== undefined) marks[me.id] ??= stamp;
  }

  /** @internal Updates name and, for a conversation not yet loaded, your membership from a listing. */
  update(wire: RealtimeConversation): void {
    this.name = wire.name;
    this.display_name = wire.display_name;
    this.timestamp = wire.timestamp;
    if (this.loaded) return;
    this.listedSequence = wire.sequence_number;
    if (wire.member_id !== undefined && wire.state !== undefined)
      this.roster.listed(wire.member_id, wire.state);
  }

  /** @internal Takes the members snapshot and recent history; from here on events go through the sequencer. */
  load(wire: RealtimeConversation, history: PushedEvent[]): void {
    this.update(wire);
    this.refresh(wire, true);
    for (const event of history) {
      this.apply(event, { emit: false, live: false, members: (event.id ?? 0) > wire.sequence_number });
    }
    this.sortEvents();
    this.sequencer.lastSeenId = Math.max(
      this.sequencer.lastSeenId,
      history.at(-1)?.id ?? wire.sequence_number,
    );
    this.loaded = true;
  }

  /** @internal Merges a members snapshot; see MemberRoster.merge. */
  refresh(wire: RealtimeConversation, fullState = wire.sequence_number >= this.sequencer.lastSeenId): void {
    this.roster.merge(wire.members ?? [], fullState);
  }

  /** @internal A pushed event for this conversation. */
  receive(event: PushedEvent): void {
    this.pushed.add(event);
    this.sequencer.push(event);
  }

  /** @internal Delivers everything stored after the newest event seen (after a reconnect). */
  catchUp(): void {
    this.sequencer.catchUp();
  }

  /** @internal You are no longer in the conversation, as a listing after a reconnect shows. */
  markLeft(): void {
    if (this.me) this.me.state = 'LEFT';
  }

  /** @internal */
  close(): void {
    this.sequencer.close();
  }

  private apply(wire: PushedEvent, replay: Replay): void {
    const event = this.toEvent(wire);
    if (event.id !== undefined) this.events.set(event.id, event);
    const type = event.type;

    if (type.startsWith('member:')) {
      const member = this.roster.applyEvent(wire, replay.members);
      if (!replay.emit) return;
      if (type === 'member:joined' || type === 'member:invited' || type === 'member:left')
        this.emit(type, member, event);
      this.emit('event', member, event);
      this.application.announce(this, member, event);
      return;
    }

    const sender = this.roster.sender(wire);
    let subject = event;
    if (type === 'text:seen' || type === 'text:delivered' || type === 'event:delete') {
      const target = this.events.get(eventId(event.body.event_id) ?? -1);
      if (target) subject = target;
      if (target instanceof TextEvent) {
        if (type === 'event:delete') {
          target.body.text = '';
          target.state.deleted = event.timestamp;
        } else if (event.from) {
          target.state[type === 'text:seen' ? 'seen_by' : 'delivered_to'][event.from] = event.timestamp;
        }
      }
    } else if (type === 'presence:update') {
      this.roster.applyPresence(event.body);
    }
    if (!replay.emit) return;

    if (event instanceof TextEvent) {
      this.emit('text', sender, event);
      if (replay.live && this.me?.state === 'JOINED' && event.from !== this.me.id) {
        event.delivered().catch((e: unknown) => this.application.logger.debug('delivery receipt failed', e));
      }
    } else if (isRelayed(type)) {
      this.emit(type, sender, subject);
    }
    this.emit('event', sender, event);
    if (type === 'conversation:deleted') this.application.forget(this);
  }

  private toEvent(wire: PushedEvent): ConversationEvent {
    if (wire.type !== 'text') return new ConversationEvent(this, wire);
    const own = wire.id === undefined ? undefined : this.acked.get(wire.id);
    if (!own) return new TextEvent(this, wire);
    this.acked.delete(own.id);
    return own;
  }

  private sortEvents(): void {
    const sorted = [...this.events.entries()].sort((a, b) => a[0] - b[0]);
    this.events.clear();
    for (const [id, event] of sorted) this.events.set(id, event);
  }

  private async fetchEvents(query: EventQuery): Promise<PushedEvent[]> {
    return parseEvents(
      await this.request({ type: 'conversation:events', cid: this.id, body: { ...query } }),
      this.id,
    );
  }

  private async typing(type: 'text:typing:on' | 'text:typing:off', activity: 0 | 1): Promise<void> {
    if (!this.me || this.application.state !== ConnectionState.Connected) return;
    await this.request({ type, cid: this.id, from: this.me.id, body: { activity } });
  }

  private requireMe(): Member {
    if (!this.me)
      throw new ParleyClientError(ClientErrorCode.self, 'You are not a member of this conversation');
    return this.me;
  }

  private request(request: OutgoingRequest, options?: RequestOptions): Promise<unknown> {
    return this.application.request(request, options);
  }
}

function userRef({ user_id, id, user_name }: UserRef): Record<string, string> {
  const userId = user_id ?? id;
  if (userId !== undefined) return { user_id: userId };
  return user_name !== undefined ? { user_name } : {};
}
