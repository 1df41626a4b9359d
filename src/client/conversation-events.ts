import type { PushedEvent } from '../protocol/realtime.js';
import { ClientErrorCode } from './codes.js';
import type { ConversationActions } from './conversation-actions.js';
import type { ConversationHost, EventQuery } from './conversation.js';
import { ParleyClientError } from './errors.js';
import { EventSequencer } from './event-sequencer.js';
import { ConversationEvent } from './events/conversation-event.js';
import { TextEvent } from './events/text-event.js';
import type { Member } from './member.js';
import type { MemberRoster } from './member-roster.js';
import { eventId } from './wire.js';

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
  /** Your unread count changed (a message arrived, or one of your sessions saw some). */
  unread: [count: number];
}

/** How an event is applied: live (emitted, receipts sent) or as history (state only). */
interface Replay {
  emit: boolean;
  live: boolean;
  /** Whether member events may change member state (history older than the member snapshot may not). */
  members: boolean;
}

/** Pushed to this session: emitted, and a message gets a delivery receipt. */
const LIVE: Replay = { emit: true, live: true, members: true };
/** Fetched to fill a gap or after a reconnect: emitted, but nobody is told it was delivered. */
const CAUGHT_UP: Replay = { emit: true, live: false, members: true };
/** Stored before the members snapshot was taken: recorded only, since the snapshot already holds its effect. */
const HISTORY: Replay = { emit: false, live: false, members: false };
/** Fetched with the snapshot but newer than it: recorded, and its member changes applied. */
const HISTORY_AFTER_SNAPSHOT: Replay = { emit: false, live: false, members: true };

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

/** @internal What the event log needs from the conversation it belongs to. */
export interface EventLogOwner {
  readonly host: ConversationHost;
  readonly actions: ConversationActions;
  readonly roster: MemberRoster;
  emit<K extends keyof ConversationEvents>(type: K, ...args: ConversationEvents[K]): void;
  fetch(query: EventQuery): Promise<PushedEvent[]>;
  /** Sees every persisted event applied, in id order (the unread count follows them). */
  observe(event: PushedEvent): void;
}

/**
 * @internal A loaded conversation's events: delivered exactly once and in id order (through the sequencer),
 * applied to the members and to the messages they mark, then emitted; and the receipts you send.
 */
export class ConversationEventLog {
  /** Persisted events by id, oldest first. */
  readonly events = new Map<number, ConversationEvent>();
  /** Pushed events, as opposed to ones fetched to fill a gap: only these get an automatic delivery receipt. */
  private readonly pushed = new WeakSet<PushedEvent>();
  private readonly sequencer: EventSequencer;
  /** Own messages acknowledged before their event arrived, so the event reuses the object sendText returned. */
  private readonly acked = new Map<number, TextEvent>();

  constructor(private readonly owner: EventLogOwner) {
    this.sequencer = new EventSequencer(0, {
      fetch: (startId, pageSize) => owner.fetch({ start_id: startId, page_size: pageSize }),
      deliver: (event) => this.apply(event, this.pushed.delete(event) ? LIVE : CAUGHT_UP),
      failed: (error) => owner.host.report(error),
    });
  }

  /** The id of the newest event delivered or loaded. */
  get lastSeenId(): number {
    return this.sequencer.lastSeenId;
  }

  /** Takes the recent history fetched with a members snapshot taken at `snapshotId`, without emitting it. */
  load(history: readonly PushedEvent[], snapshotId: number): void {
    for (const event of history)
      this.apply(event, (event.id ?? 0) > snapshotId ? HISTORY_AFTER_SNAPSHOT : HISTORY);
    this.sort();
    this.sequencer.lastSeenId = Math.max(this.sequencer.lastSeenId, history.at(-1)?.id ?? snapshotId);
  }

  /** A pushed event. */
  receive(event: PushedEvent): void {
    this.pushed.add(event);
    this.sequencer.push(event);
  }

  /** Delivers everything stored after the newest event seen (after a reconnect). */
  catchUp(): void {
    this.sequencer.catchUp();
  }

  close(): void {
    this.sequencer.close();
  }

  /**
   * A page `getEvents` fetched, by id. Events newer than seen so far are delivered in order when `live`;
   * older ones are recorded as history.
   */
  addPage(page: readonly PushedEvent[], live: boolean): Map<number, ConversationEvent> {
    const result = new Map<number, ConversationEvent>();
    let added = false;
    for (const wire of page) {
      const id = wire.id ?? 0;
      if (live && id > this.sequencer.lastSeenId) {
        this.sequencer.push(wire);
      } else if (!this.events.has(id)) {
        this.apply(wire, HISTORY);
        added = true;
      }
      result.set(id, this.events.get(id) ?? this.toEvent(wire));
    }
    if (added) this.sort();
    return result;
  }

  /** The event for your own message the server stored: the one already delivered, or one its delivery will reuse. */
  acknowledged(ack: { id: number; timestamp: string }, from: string, text: string): TextEvent {
    const arrived = this.events.get(ack.id);
    if (arrived instanceof TextEvent) return arrived;
    const own = new TextEvent(this.owner.actions, {
      type: 'text',
      cid: this.owner.actions.conversation.id,
      id: ack.id,
      from,
      timestamp: ack.timestamp,
      body: { text },
    });
    if (ack.id > this.sequencer.lastSeenId) this.acked.set(ack.id, own);
    return own;
  }

  /** Announces a member event that was applied as history before anyone had heard of it. */
  announce(id: number): void {
    const event = this.events.get(id);
    const member = event?.from ? this.owner.roster.members.get(event.from) : undefined;
    if (event && member && event.type.startsWith('member:'))
      this.owner.host.membershipChanged(this.owner.actions.conversation, member, event);
  }

  /** Announces the newest member event about `member` (your own, in a conversation you were added to offline). */
  announceLatest(member: Member): void {
    const latest = [...this.events.values()]
      .reverse()
      .find((e) => e.type.startsWith('member:') && e.from === member.id);
    if (latest?.id !== undefined) this.announce(latest.id);
  }

  async sendReceipt(type: 'text:seen' | 'text:delivered', event: TextEvent): Promise<void> {
    const me = this.owner.roster.requireMe();
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
    if (!seen && !this.owner.host.isConnected()) return;
    const cid = this.owner.actions.conversation.id;
    const body = { event_id: event.id };
    if (!seen) {
      await this.owner.host.request({ type, cid, from: me.id, body });
      return;
    }
    const { timestamp } = await this.owner.host.request({ type, cid, from: me.id, body });
    if (timestamp) marks[me.id] ??= timestamp;
  }

  private apply(wire: PushedEvent, replay: Replay): void {
    const { roster, host, actions } = this.owner;
    const event = this.toEvent(wire);
    if (event.id !== undefined) this.events.set(event.id, event);
    this.owner.observe(wire);
    const type = event.type;

    if (type.startsWith('member:')) {
      const member = roster.applyEvent(wire, replay.members);
      if (!replay.emit) return;
      if (type === 'member:joined' || type === 'member:invited' || type === 'member:left')
        this.owner.emit(type, member, event);
      this.owner.emit('event', member, event);
      host.membershipChanged(actions.conversation, member, event);
      return;
    }

    const sender = roster.sender(wire);
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
      roster.applyPresence(event.body);
    }
    if (!replay.emit) return;

    if (event instanceof TextEvent) {
      this.owner.emit('text', sender, event);
      if (replay.live && roster.me?.state === 'JOINED' && event.from !== roster.me.id) {
        event.delivered().catch((e: unknown) => host.logger.debug('delivery receipt failed', e));
      }
    } else if (isRelayed(type)) {
      this.owner.emit(type, sender, subject);
    }
    this.owner.emit('event', sender, event);
    if (type === 'conversation:deleted') host.forget(actions.conversation);
  }

  private toEvent(wire: PushedEvent): ConversationEvent {
    if (wire.type !== 'text') return new ConversationEvent(this.owner.actions, wire);
    const own = wire.id === undefined ? undefined : this.acked.get(wire.id);
    if (!own) return new TextEvent(this.owner.actions, wire);
    this.acked.delete(own.id);
    return own;
  }

  private sort(): void {
    const sorted = [...this.events.entries()].sort((a, b) => a[0] - b[0]);
    this.events.clear();
    for (const [id, event] of sorted) this.events.set(id, event);
  }
}
