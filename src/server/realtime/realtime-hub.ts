import type { Logger } from 'pino';
import type { Bus, BusMessage } from '../../bus/bus.js';
import type { Clock } from '../../core/clock.js';
import type { MembershipChange } from '../../core/event-sink.js';
import type { PushedEvent } from '../../protocol/realtime.js';
import type { EventRecord } from '../../store/records.js';
import type { Membership } from '../../store/store.js';
import type { Metrics } from '../metrics.js';
import { ConversationOrder } from './conversation-order.js';
import { EncodedFrame } from './encoded-frame.js';
import { MembershipTurns } from './membership-turns.js';
import { PresenceBatcher } from './presence-batcher.js';
import { toPushedEvent } from './realtime-shapes.js';
import { Subscriptions, type HubSession } from './subscriptions.js';

export type { HubSession } from './subscriptions.js';

/** The reads fan-out needs from core: the record, when the bus may have dropped something. */
export interface HubSource {
  committed(cid: string, startId: number, endId?: number): Promise<EventRecord[]>;
  joinedBy(userId: string): Promise<Membership[]>;
}

/**
 * Routes bus messages to the sessions on this node. Events of a conversation go out in id order, each once
 * (`ConversationOrder`), but only for conversations somebody here is subscribed to: ordering state is made
 * when the first session joins and dropped when the last leaves. Membership changes arrive as data and take
 * effect at their announcing event's turn, so a joiner gets its own `member:joined` and a leaver its
 * `member:left`.
 */
export class RealtimeHub {
  private readonly subscriptions = new Subscriptions();
  private readonly orders = new Map<string, ConversationOrder>();
  private readonly turns = new MembershipTurns();
  private readonly presence: PresenceBatcher;
  /** Counts applied membership changes, so a resync can tell that one landed while it was reading. */
  private membershipApplied = 0;

  constructor(
    private readonly source: HubSource,
    private readonly logger: Logger,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly metrics?: Pick<Metrics, 'framesDelivered'>,
  ) {
    this.presence = new PresenceBatcher(clock, (event) => this.broadcastEphemeral(event));
    bus.subscribe({ message: (m) => this.onMessage(m), resync: () => void this.resync() });
  }

  get sessionCount(): number {
    return this.subscriptions.sessionCount;
  }

  isOnline(userId: string): boolean {
    return this.subscriptions.sessionsOf(userId).size > 0;
  }

  sessionsOf(userId: string): ReadonlySet<HubSession> {
    return this.subscriptions.sessionsOf(userId);
  }

  allSessions(): HubSession[] {
    return [...this.subscriptions.allSessions()];
  }

  /** The session user's JOINED member in `cid`, as far as this node knows. */
  memberIn(session: HubSession, cid: string): string | undefined {
    return this.subscriptions.memberIn(session, cid);
  }

  /** Registers a logged-in session before its memberships are read, so a join committed meanwhile counts. */
  addSession(session: HubSession): void {
    this.subscriptions.addSession(session);
  }

  /** Subscribes a session to a conversation it is joined to; `lastEventId` is the newest id it has read. */
  join(session: HubSession, cid: string, memberId: string, lastEventId: number): void {
    this.orderFor(cid, lastEventId + 1);
    this.subscriptions.subscribe(session, cid, memberId);
  }

  /** Announces the session's user as online when it is their first session. */
  announce(session: HubSession): void {
    if (this.subscriptions.sessionsOf(session.userId).size === 1)
      this.presence.changed(session.userId, this.subscriptions.conversationsOf(session), true);
  }

  removeSession(session: HubSession): void {
    const conversations = new Map(this.subscriptions.conversationsOf(session));
    const cids = this.subscriptions.removeSession(session);
    if (!cids) return;
    if (!this.isOnline(session.userId)) this.presence.changed(session.userId, conversations, false);
    for (const cid of cids) this.dropIfIdle(cid);
  }

  /** Sends an event that is not stored (typing, delivery, presence) to the conversation's joined sessions, on every node. */
  broadcastEphemeral(event: PushedEvent): void {
    this.bus.publish({ kind: 'ephemeral', event });
  }

  close(): void {
    this.presence.close();
    for (const order of this.orders.values()) order.close();
    this.orders.clear();
    this.turns.clear();
  }

  private onMessage(message: BusMessage): void {
    switch (message.kind) {
      case 'events': {
        const order = this.orders.get(message.cid);
        if (order) for (const event of message.events) this.deliver(message.cid, order.accept(event));
        break;
      }
      case 'membership':
        this.membershipChanged(message.change);
        break;
      case 'ephemeral':
        this.fanOut(message.event.cid, () => new EncodedFrame(message.event), message.event.type);
        break;
      case 'deleted':
        this.conversationDeleted(message.cid);
        break;
    }
  }

  private membershipChanged(change: MembershipChange): void {
    const sessions = this.subscriptions.sessionsOf(change.userId);
    if (sessions.size === 0) return;
    if (change.state === 'INVITED') {
      // A notice to sessions not subscribed to the conversation: it needs no place in its order.
      const frame = new EncodedFrame(toPushedEvent(change.event));
      for (const session of sessions)
        if (!this.subscriptions.memberIn(session, change.cid)) session.connection.sendFrame(frame);
      return;
    }
    if (change.state === 'LEFT' && !this.orders.has(change.cid)) return;
    const order = this.orderFor(change.cid, change.event.id);
    if (order.nextId > change.event.id) {
      this.apply(change);
      return;
    }
    this.turns.hold(change);
  }

  private apply(change: MembershipChange): void {
    this.membershipApplied++;
    for (const session of this.subscriptions.sessionsOf(change.userId)) {
      if (change.state === 'JOINED') this.subscriptions.subscribe(session, change.cid, change.memberId);
      else if (change.state === 'LEFT') this.subscriptions.unsubscribe(session, change.cid);
    }
  }

  private deliver(cid: string, events: EventRecord[]): void {
    for (const event of events) {
      const changes = this.turns.take(cid, event.id);
      for (const change of changes) if (change.state === 'JOINED') this.apply(change);
      const sent = this.fanOut(cid, () => new EncodedFrame(toPushedEvent(event)));
      this.metrics?.framesDelivered.inc(sent);
      for (const change of changes) if (change.state === 'LEFT') this.apply(change);
    }
    if (events.length > 0) this.dropIfIdle(cid);
  }

  /**
   * Writes one frame, made only if somebody is here, to every session subscribed to `cid`; with a `type`
   * (ephemeral events), only to connections that accept it. Returns how many got it.
   */
  private fanOut(cid: string, makeFrame: () => EncodedFrame, type?: string): number {
    const sessions = this.subscriptions.sessionsIn(cid);
    if (sessions.size === 0) return 0;
    const frame = makeFrame();
    let sent = 0;
    for (const session of sessions) {
      if (type !== undefined && !session.connection.accepts(type)) continue;
      session.connection.sendFrame(frame);
      sent++;
    }
    return sent;
  }

  private orderFor(cid: string, firstId: number): ConversationOrder {
    let order = this.orders.get(cid);
    if (!order) {
      const made = new ConversationOrder(firstId, this.clock, () => void this.fillGap(cid, made));
      this.orders.set(cid, (order = made));
    }
    return order;
  }

  /** Forgets a conversation's ordering once nobody here is subscribed and no membership change waits on it. */
  private dropIfIdle(cid: string): void {
    if (this.subscriptions.sessionsIn(cid).size > 0 || this.turns.waitsIn(cid)) return;
    this.orders.get(cid)?.close();
    this.orders.delete(cid);
  }

  private async fillGap(cid: string, order: ConversationOrder): Promise<void> {
    const gap = order.gap();
    if (!gap) return;
    try {
      const events = await this.source.committed(cid, gap.from, gap.to);
      for (const event of events) if (this.orders.get(cid) === order) this.deliver(cid, order.accept(event));
    } catch (err) {
      this.logger.error({ err, cid }, 'could not fill a gap in delivered events');
    }
    // Ids that are still missing were never committed (or were deleted with their conversation): skip them.
    if (this.orders.get(cid) === order) this.deliver(cid, order.skipTo(gap.to));
  }

  /**
   * After the bus may have lost messages: re-reads each live conversation's events since the last delivered,
   * and each local user's memberships, so joins and leaves made meanwhile take effect.
   */
  private async resync(): Promise<void> {
    for (const [cid, order] of [...this.orders]) {
      try {
        const events = await this.source.committed(cid, order.nextId);
        for (const event of events)
          if (this.orders.get(cid) === order) this.deliver(cid, order.accept(event));
      } catch (err) {
        this.logger.error({ err, cid }, 'resync from the store failed');
      }
    }
    for (const userId of [...this.subscriptions.users()]) {
      try {
        const applied = this.membershipApplied;
        const joined = await this.source.joinedBy(userId);
        // A change applied meanwhile is newer than this read: then only add what is missing.
        const fresh = this.membershipApplied === applied;
        const now = new Map(joined.map((m) => [m.conversation.id, m]));
        for (const session of this.subscriptions.sessionsOf(userId)) {
          for (const cid of [...this.subscriptions.conversationsOf(session).keys()]) {
            if (fresh && !now.has(cid)) {
              this.subscriptions.unsubscribe(session, cid);
              this.dropIfIdle(cid);
            }
          }
          for (const { conversation, member } of joined)
            if (!this.subscriptions.memberIn(session, conversation.id))
              this.join(session, conversation.id, member.id, conversation.lastEventId);
        }
      } catch (err) {
        this.logger.error({ err, userId }, 'resync of memberships failed');
      }
    }
  }

  private conversationDeleted(cid: string): void {
    this.orders.get(cid)?.close();
    this.orders.delete(cid);
    this.turns.forget(cid);
    const sessions = [...this.subscriptions.sessionsIn(cid)];
    if (sessions.length === 0) return;
    const frame = new EncodedFrame({
      type: 'conversation:deleted',
      cid,
      from: null,
      timestamp: new Date(this.clock.now()).toISOString(),
      body: {},
    });
    for (const session of sessions) {
      session.connection.sendFrame(frame);
      this.subscriptions.unsubscribe(session, cid);
    }
  }
}
