import type { Logger } from 'pino';
import type { Bus, BusMessage } from '../../bus/bus.js';
import type { PresenceChange, PushedEvent } from '../../protocol/realtime.js';
import type { EventRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import type { Metrics } from '../metrics.js';
import type { Connection } from './connection.js';
import { EncodedFrame } from './encoded-frame.js';
import { toPushedEvent } from './realtime-shapes.js';

/** What the hub knows of a logged-in session. */
export interface HubSession {
  readonly id: string;
  readonly userId: string;
  readonly connection: Connection;
  /** Conversation id → the session user's JOINED member id there; maintained by the hub. */
  readonly joined: Map<string, string>;
}

/** How long a gap in a conversation's event ids may stay open before it is filled from the store. */
const GAP_FILL_DELAY_MS = 100;
/** How long presence changes gather before they are sent. */
const PRESENCE_BATCH_MS = 50;

interface Sequence {
  /** The next id to deliver. */
  next: number;
  /** Events that arrived ahead of a gap, by id. */
  pending: Map<number, EventRecord>;
  gapTimer?: ReturnType<typeof setTimeout>;
}

/**
 * Fans committed events out to sessions. Per conversation it delivers ids strictly in order and each once,
 * whatever order they are published in: an early event waits for the gap before it to close, and a gap
 * that stays open is filled from the store (the source of truth). Member events keep the subscriptions
 * current, so the JOINED members' sessions are exactly the recipients.
 */
export class RealtimeHub {
  private readonly subscribers = new Map<string, Set<HubSession>>();
  private readonly sessionsByUser = new Map<string, Set<HubSession>>();
  private readonly sequences = new Map<string, Sequence>();
  /** Presence changes not sent yet: conversation id → user id → the latest change. */
  private readonly presenceQueue = new Map<string, Map<string, PresenceChange>>();
  private presenceTimer: ReturnType<typeof setTimeout> | undefined;
  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly bus: Bus,
    private readonly metrics?: Pick<Metrics, 'eventsCommitted' | 'framesDelivered'>,
  ) {
    bus.subscribe({ message: (m) => this.onMessage(m), resync: () => void this.resync() });
  }

  get sessionCount(): number {
    let n = 0;
    for (const set of this.sessionsByUser.values()) n += set.size;
    return n;
  }

  isOnline(userId: string): boolean {
    return (this.sessionsByUser.get(userId)?.size ?? 0) > 0;
  }

  /**
   * Registers a logged-in session. Register before reading its memberships from the store, so that a
   * member:joined committed in between still subscribes it.
   */
  addSession(session: HubSession): void {
    let sessions = this.sessionsByUser.get(session.userId);
    if (!sessions) this.sessionsByUser.set(session.userId, (sessions = new Set()));
    sessions.add(session);
  }

  /** Subscribes a session to a conversation it is joined to; `lastEventId` is the newest id it has read. */
  join(session: HubSession, cid: string, memberId: string, lastEventId: number): void {
    if (!this.sequences.has(cid)) this.sequences.set(cid, { next: lastEventId + 1, pending: new Map() });
    this.subscribe(session, cid, memberId);
  }

  /** Announces the session's user as online when it is their first session. */
  announce(session: HubSession): void {
    if (this.sessionsByUser.get(session.userId)?.size === 1) this.presence(session, true);
  }

  removeSession(session: HubSession): void {
    const sessions = this.sessionsByUser.get(session.userId);
    if (!sessions?.delete(session)) return;
    if (sessions.size === 0) {
      this.sessionsByUser.delete(session.userId);
      this.presence(session, false);
    }
    for (const cid of [...session.joined.keys()]) this.unsubscribe(session, cid);
  }

  sessionsOf(userId: string): ReadonlySet<HubSession> {
    return this.sessionsByUser.get(userId) ?? new Set();
  }

  allSessions(): HubSession[] {
    return [...this.sessionsByUser.values()].flatMap((s) => [...s]);
  }

  /** Sends an event that is not stored (typing, delivery, presence) to the conversation's joined sessions, on every node. */
  broadcastEphemeral(event: PushedEvent, only?: 'native'): void {
    this.bus.publish(only === undefined ? { kind: 'ephemeral', event } : { kind: 'ephemeral', event, only });
  }

  private onMessage(message: BusMessage): void {
    switch (message.kind) {
      case 'events':
        for (const event of message.events) this.accept(message.cid, event);
        break;
      case 'ephemeral':
        this.deliverEphemeral(message.event, message.only);
        break;
      case 'deleted':
        this.conversationDeleted(message.cid);
        break;
    }
  }

  /** Re-reads, for every conversation with sessions here, the events committed since the last one delivered. */
  private async resync(): Promise<void> {
    for (const cid of [...this.subscribers.keys()]) {
      const sequence = this.sequences.get(cid);
      if (!sequence) continue;
      try {
        let after: string | undefined;
        do {
          const page = await this.store.listEvents(cid, {
            limit: 1000,
            order: 'asc',
            startId: sequence.next,
            after,
          });
          for (const event of page.items) this.accept(cid, event);
          after = page.next;
        } while (after !== undefined);
      } catch (err) {
        this.logger.error({ err, cid }, 'resync from the store failed');
      }
    }
  }

  private conversationDeleted(conversationId: string): void {
    const subscribers = this.subscribers.get(conversationId);
    const sequence = this.sequences.get(conversationId);
    if (sequence?.gapTimer) clearTimeout(sequence.gapTimer);
    this.sequences.delete(conversationId);
    if (!subscribers) return;
    const frame = new EncodedFrame({
      type: 'conversation:deleted',
      cid: conversationId,
      from: null,
      timestamp: new Date().toISOString(),
      body: {},
    });
    for (const session of [...subscribers]) {
      session.connection.sendFrame(frame);
      this.unsubscribe(session, conversationId);
    }
  }

  private deliverEphemeral(event: PushedEvent, only?: 'native'): void {
    const subscribers = this.subscribers.get(event.cid);
    if (!subscribers) return;
    const frame = new EncodedFrame(event);
    for (const session of subscribers) {
      if (only === undefined || session.connection.transport === only) session.connection.sendFrame(frame);
    }
  }

  /** Stops all gap timers; sessions are closed by their transports. */
  close(): void {
    clearTimeout(this.presenceTimer);
    this.presenceQueue.clear();
    for (const sequence of this.sequences.values()) if (sequence.gapTimer) clearTimeout(sequence.gapTimer);
    this.sequences.clear();
  }

  /**
   * Tells the native sessions of the user's conversations that they came online or went offline. Changes
   * wait a moment and go out together, so a room that connects all at once gets one frame per member per
   * batch instead of one per arrival (which grows with the square of the room).
   */
  private presence(session: HubSession, online: boolean): void {
    for (const [cid, memberId] of session.joined) {
      let changes = this.presenceQueue.get(cid);
      if (!changes) this.presenceQueue.set(cid, (changes = new Map<string, PresenceChange>()));
      changes.set(session.userId, { user_id: session.userId, member_id: memberId, online });
    }
    if (this.presenceQueue.size > 0 && !this.presenceTimer) {
      this.presenceTimer = setTimeout(() => this.flushPresence(), PRESENCE_BATCH_MS);
      this.presenceTimer.unref();
    }
  }

  private flushPresence(): void {
    this.presenceTimer = undefined;
    const timestamp = new Date().toISOString();
    for (const [cid, changes] of this.presenceQueue) {
      const users = [...changes.values()];
      const only = users.length === 1 ? users[0] : undefined;
      this.broadcastEphemeral(
        only
          ? {
              type: 'presence:update',
              cid,
              from: only.member_id,
              timestamp,
              body: { user_id: only.user_id, online: only.online },
            }
          : { type: 'presence:update', cid, from: null, timestamp, body: { users } },
        'native',
      );
    }
    this.presenceQueue.clear();
  }

  private accept(cid: string, event: EventRecord): void {
    let sequence = this.sequences.get(cid);
    if (!sequence) {
      sequence = { next: event.id, pending: new Map() };
      this.sequences.set(cid, sequence);
    }
    if (event.id < sequence.next) return;
    if (event.id > sequence.next) {
      sequence.pending.set(event.id, event);
      sequence.gapTimer ??= setTimeout(() => void this.fillGap(cid), GAP_FILL_DELAY_MS);
      return;
    }
    this.deliver(cid, event);
    sequence.next = event.id + 1;
    for (
      let queued = sequence.pending.get(sequence.next);
      queued;
      queued = sequence.pending.get(sequence.next)
    ) {
      sequence.pending.delete(queued.id);
      this.deliver(cid, queued);
      sequence.next = queued.id + 1;
    }
    if (sequence.pending.size === 0 && sequence.gapTimer) {
      clearTimeout(sequence.gapTimer);
      delete sequence.gapTimer;
    }
  }

  private async fillGap(cid: string): Promise<void> {
    const sequence = this.sequences.get(cid);
    if (!sequence) return;
    delete sequence.gapTimer;
    if (sequence.pending.size === 0) return;
    const upTo = Math.min(...sequence.pending.keys()) - 1;
    try {
      const page = await this.store.listEvents(cid, {
        limit: 1000,
        order: 'asc',
        startId: sequence.next,
        endId: upTo,
      });
      for (const event of page.items) this.accept(cid, event);
    } catch (err) {
      this.logger.error({ err, cid }, 'could not fill a gap in delivered events');
    }
    // Ids that are still missing were never committed (or were deleted with their conversation): skip them.
    const current = this.sequences.get(cid);
    if (current && current.pending.size > 0 && current.next <= upTo) {
      current.next = upTo + 1;
      const first = current.pending.get(current.next);
      if (first) {
        current.pending.delete(first.id);
        this.accept(cid, first);
      }
    }
  }

  private deliver(cid: string, event: EventRecord): void {
    const frame = new EncodedFrame(toPushedEvent(event));
    const userId = memberEventUserId(event);
    if (event.type === 'member:joined' && userId && event.from) {
      for (const session of this.sessionsOf(userId)) this.subscribe(session, cid, event.from);
    }
    const subscribers = this.subscribers.get(cid);
    if (subscribers) for (const session of subscribers) session.connection.sendFrame(frame);
    this.metrics?.eventsCommitted.inc();
    this.metrics?.framesDelivered.inc(subscribers?.size ?? 0);
    if (event.type === 'member:invited' && userId) {
      for (const session of this.sessionsOf(userId))
        if (!session.joined.has(cid)) session.connection.sendFrame(frame);
    }
    if (event.type === 'member:left' && userId) {
      for (const session of this.sessionsOf(userId)) this.unsubscribe(session, cid);
    }
  }

  private subscribe(session: HubSession, cid: string, memberId: string): void {
    let set = this.subscribers.get(cid);
    if (!set) this.subscribers.set(cid, (set = new Set()));
    set.add(session);
    session.joined.set(cid, memberId);
  }

  private unsubscribe(session: HubSession, cid: string): void {
    const set = this.subscribers.get(cid);
    set?.delete(session);
    if (set?.size === 0) this.subscribers.delete(cid);
    session.joined.delete(cid);
  }
}

function memberEventUserId(event: EventRecord): string | undefined {
  if (!event.type.startsWith('member:')) return undefined;
  const user = event.body.user;
  if (typeof user === 'object' && user !== null && 'id' in user && typeof user.id === 'string')
    return user.id;
  return undefined;
}
