import { ParleyError } from '../protocol/errors.js';
import type { AppendGuard, EventRecord, Page, UserRecord } from '../store/records.js';
import type { EventQuery, Store } from '../store/store.js';
import { JOINED, type Access } from './access.js';
import { isModerator } from './moderation.js';
import type { Principal } from './auth/principal.js';
import { nowIso } from './clock.js';
import type { ContentPolicy } from './content-policy.js';
import type { EventSink } from './event-sink.js';
import type { GroupCommit } from './group-commit.js';
import type { EventView, Receipts } from './views.js';
import { isMessageType } from '../protocol/read-state.js';

export interface NewEventInput {
  type: string;
  from?: string | undefined;
  body: Record<string, unknown>;
  clientRef?: string | undefined;
}

export class EventsService {
  constructor(
    private readonly store: Store,
    private readonly access: Access,
    private readonly sink: EventSink,
    private readonly commits: GroupCommit,
    private readonly content: ContentPolicy,
  ) {}

  /**
   * The one append path, for REST and realtime alike; answers once the event is committed, then publishes it.
   * Content rules come first. A user sends as their own JOINED member, and that membership is checked inside
   * the commit (`AppendGuard`): `memberHint`, the member id a realtime session already knows, only saves the
   * read before it. An application sends as any JOINED member named in `from`, or as the system.
   */
  async send(
    principal: Principal,
    conversationId: string,
    input: NewEventInput,
    memberHint?: string,
  ): Promise<EventView> {
    this.content.check(input.type, input.body);
    if (principal.user) {
      const memberId = memberHint ?? (await this.ownMember(principal, conversationId));
      if (input.from !== undefined && input.from !== memberId)
        throw new ParleyError('event:error:invalid-from');
      const event = await this.append(
        conversationId,
        { ...input, from: memberId },
        { memberId, userId: principal.user.id },
      );
      return { event, fromUser: principal.user };
    }
    await this.access.conversation(principal, conversationId);
    let fromUser: UserRecord | null = null;
    const from = input.from ?? null;
    if (from !== null) {
      const member = await this.store.getMember(from);
      if (!member || member.conversationId !== conversationId || member.state !== 'JOINED') {
        throw new ParleyError('event:error:invalid-from');
      }
      fromUser = (await this.store.getUser(member.userId)) ?? null;
    }
    const event = await this.append(conversationId, { ...input, from });
    return { event, fromUser };
  }

  /** The calling user's JOINED member, read for a sender whose member id is not known yet. */
  private async ownMember(principal: Principal, conversationId: string): Promise<string> {
    await this.access.conversation(principal, conversationId);
    const self = await this.access.self(principal, conversationId, JOINED);
    if (!self) throw new ParleyError('conversation:error:not-member');
    return self.id;
  }

  private async append(
    conversationId: string,
    input: Omit<NewEventInput, 'from'> & { from: string | null },
    guard?: AppendGuard,
  ): Promise<EventRecord> {
    const [event] = await this.commits.append(
      conversationId,
      [{ type: input.type, from: input.from, body: input.body, clientRef: input.clientRef ?? null }],
      guard,
    );
    if (!event) throw new ParleyError('system:error:internal', 'The store appended no event');
    this.sink.publish(conversationId, [event]);
    return event;
  }

  async get(principal: Principal, conversationId: string, id: number): Promise<EventView> {
    await this.access.readable(principal, conversationId);
    const event = await this.store.getEvent(conversationId, id);
    if (!event) throw new ParleyError('event:error:not-found', `Event ${id} not found`);
    const [view] = await this.withSenders([event]);
    return view ?? { event, fromUser: null };
  }

  async list(principal: Principal, conversationId: string, query: EventQuery): Promise<Page<EventView>> {
    await this.access.readable(principal, conversationId);
    const page = await this.store.listEvents(conversationId, query);
    const items = await this.withReceipts(conversationId, await this.withSenders(page.items));
    return page.next === undefined ? { items } : { items, next: page.next };
  }

  /**
   * Committed events of a conversation from `startId` up to `endId`, oldest first, with no caller to check:
   * realtime fan-out fills gaps and resyncs from here (the store is the record, the bus only a hint).
   */
  async committed(conversationId: string, startId: number, endId?: number): Promise<EventRecord[]> {
    const all: EventRecord[] = [];
    let after: string | undefined;
    do {
      const page = await this.store.listEvents(conversationId, {
        limit: 1000,
        order: 'asc',
        startId,
        endId,
        after,
      });
      all.push(...page.items);
      after = page.next;
    } while (after !== undefined);
    return all;
  }

  /** Deletes an event (users: only their own) and announces it with an `event:delete` event. */
  async delete(principal: Principal, conversationId: string, id: number): Promise<void> {
    await this.access.conversation(principal, conversationId);
    const self = await this.access.self(principal, conversationId, JOINED);
    const at = nowIso();
    const announced = await this.store.transaction(async (tx) => {
      const event = await tx.getEvent(conversationId, id);
      if (!event || event.deleted) throw new ParleyError('event:error:not-found', `Event ${id} not found`);
      if (self && event.from !== self.id && !isModerator(self)) {
        throw new ParleyError('system:error:forbidden', 'Users may only delete their own events');
      }
      await tx.markEventDeleted(conversationId, id, at);
      return tx.appendEvents(
        conversationId,
        [{ type: 'event:delete', from: self?.id ?? null, body: { event_id: id } }],
        at,
      );
    });
    this.sink.publish(conversationId, announced);
  }

  /** Marks each message with the members whose read pointers have passed it (one read of the pointers). */
  private async withReceipts(conversationId: string, views: EventView[]): Promise<EventView[]> {
    if (!views.some((v) => isMessageType(v.event.type))) return views;
    const pointers = await this.store.readPointers(conversationId);
    return views.map((view) => {
      const { event } = view;
      if (!isMessageType(event.type) || event.deleted) return view;
      const receipts: Receipts = { seenBy: {}, deliveredTo: {} };
      for (const p of pointers) {
        if (p.memberId === event.from) continue;
        if (p.lastSeenEventId >= event.id) receipts.seenBy[p.memberId] = p.lastSeenAt ?? event.timestamp;
        if (p.lastDeliveredEventId >= event.id) {
          receipts.deliveredTo[p.memberId] = p.lastDeliveredAt ?? event.timestamp;
        }
      }
      return { ...view, receipts };
    });
  }

  /** Resolves the users behind the events' members with one lookup per distinct member. */
  private async withSenders(events: EventRecord[]): Promise<EventView[]> {
    const users = new Map<string, Promise<UserRecord | null>>();
    const lookup = (memberId: string): Promise<UserRecord | null> => {
      let user = users.get(memberId);
      if (!user) {
        user = this.store
          .getMember(memberId)
          .then((m) => (m ? this.store.getUser(m.userId) : undefined))
          .then((u) => u ?? null);
        users.set(memberId, user);
      }
      return user;
    };
    return Promise.all(
      events.map(async (event) => ({ event, fromUser: event.from ? await lookup(event.from) : null })),
    );
  }
}
