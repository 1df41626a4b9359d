import { ParleyError } from '../protocol/errors.js';
import type { AppendGuard, EventRecord, Page, UserRecord } from '../store/records.js';
import type { EventQuery, Store } from '../store/store.js';
import { JOINED, VISIBLE_STATES, type Access } from './access.js';
import type { Principal } from './auth/principal.js';
import { nowIso } from './clock.js';
import type { EventSink } from './event-sink.js';
import type { GroupCommit } from './group-commit.js';
import type { EventView } from './views.js';

export interface NewEventInput {
  type: string;
  from?: string | undefined;
  body: Record<string, unknown>;
  clientRef?: string | undefined;
}

/** Event types only the server writes: member changes are made through the members API. */
const RESERVED_TYPE = /^(member|conversation|session|system|event):/;

function refuseReserved(type: string): void {
  if (RESERVED_TYPE.test(type)) {
    throw new ParleyError('http:error:validation-fail', `Events of type ${type} are written by the server`, {
      invalid_parameters: [{ name: 'type', reason: 'reserved' }],
    });
  }
}

export class EventsService {
  constructor(
    private readonly store: Store,
    private readonly access: Access,
    private readonly sink: EventSink,
    private readonly commits: GroupCommit,
  ) {}

  /**
   * Appends an event as the caller's joined member (users) or as any joined member or the system
   * (applications). Acknowledged only once committed, then published.
   */
  async create(principal: Principal, conversationId: string, input: NewEventInput): Promise<EventView> {
    refuseReserved(input.type);
    await this.access.conversation(principal, conversationId);
    const self = await this.access.self(principal, conversationId, JOINED);
    let from: string | null = input.from ?? null;
    let fromUser: UserRecord | null = principal.user;
    if (self) {
      if (from !== null && from !== self.id) throw new ParleyError('event:error:invalid-from');
      from = self.id;
    } else if (from !== null) {
      const member = await this.store.getMember(from);
      if (!member || member.conversationId !== conversationId || member.state !== 'JOINED') {
        throw new ParleyError('event:error:invalid-from');
      }
      fromUser = (await this.store.getUser(member.userId)) ?? null;
    }
    const event = await this.append(conversationId, { ...input, from });
    return { event, fromUser };
  }

  /**
   * Appends an event as a user whose JOINED member in the conversation is already known, as a realtime
   * session knows its own: the membership is checked in the commit itself rather than read before it.
   */
  async createAsMember(
    principal: Principal,
    conversationId: string,
    memberId: string,
    input: Omit<NewEventInput, 'from'>,
  ): Promise<EventRecord> {
    refuseReserved(input.type);
    if (!principal.user) throw new ParleyError('system:error:forbidden', 'This needs a user token');
    return this.append(conversationId, { ...input, from: memberId }, { memberId, userId: principal.user.id });
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
    await this.access.conversation(principal, conversationId);
    await this.access.self(principal, conversationId, VISIBLE_STATES);
    const event = await this.store.getEvent(conversationId, id);
    if (!event) throw new ParleyError('event:error:not-found', `Event ${id} not found`);
    const [view] = await this.withSenders([event]);
    return view ?? { event, fromUser: null };
  }

  async list(principal: Principal, conversationId: string, query: EventQuery): Promise<Page<EventView>> {
    await this.access.conversation(principal, conversationId);
    await this.access.self(principal, conversationId, VISIBLE_STATES);
    const page = await this.store.listEvents(conversationId, query);
    const items = await this.withSenders(page.items);
    return page.next === undefined ? { items } : { items, next: page.next };
  }

  /** Deletes an event (users: only their own) and announces it with an `event:delete` event. */
  async delete(principal: Principal, conversationId: string, id: number): Promise<void> {
    await this.access.conversation(principal, conversationId);
    const self = await this.access.self(principal, conversationId, JOINED);
    const at = nowIso();
    const announced = await this.store.transaction(async (tx) => {
      const event = await tx.getEvent(conversationId, id);
      if (!event || event.deleted) throw new ParleyError('event:error:not-found', `Event ${id} not found`);
      if (self && event.from !== self.id) {
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
