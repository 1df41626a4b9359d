import { ParleyError } from '../protocol/errors.js';
import type { ConversationRecord, JoinPolicy, Page, PageQuery, ReadState } from '../store/records.js';
import type { ConversationPatch, Membership, Store } from '../store/store.js';
import { JOINED, VISIBLE_STATES, type Access } from './access.js';
import type { Principal } from './auth/principal.js';
import { nowIso } from './clock.js';
import type { EventSink } from './event-sink.js';
import { newConversationId } from './ids.js';
import { allMemberships } from './all-memberships.js';

export interface NewConversation {
  name?: string | null | undefined;
  displayName?: string | null | undefined;
  imageUrl?: string | null | undefined;
  customData?: Record<string, unknown> | undefined;
  joinPolicy?: JoinPolicy | undefined;
  ttl?: number | null | undefined;
  type?: string | null | undefined;
  customSortKey?: string | null | undefined;
  numbers?: unknown[] | null | undefined;
  callback?: Record<string, unknown> | null | undefined;
}

export class ConversationsService {
  constructor(
    private readonly store: Store,
    private readonly access: Access,
    private readonly sink: EventSink,
  ) {}

  async create(principal: Principal, input: NewConversation): Promise<ConversationRecord> {
    const at = nowIso();
    return this.store.createConversation({
      id: newConversationId(),
      applicationId: principal.application.id,
      name: input.name ?? null,
      displayName: input.displayName ?? null,
      imageUrl: input.imageUrl ?? null,
      state: 'ACTIVE',
      joinPolicy: input.joinPolicy ?? 'open',
      customData: input.customData ?? {},
      lastEventId: 0,
      ttl: input.ttl ?? null,
      type: input.type ?? null,
      customSortKey: input.customSortKey ?? null,
      numbers: input.numbers ?? null,
      callback: input.callback ?? null,
      createdBy: principal.user?.id ?? null,
      created: at,
      updated: at,
    });
  }

  /** Users see conversations they created or are joined to or invited into (`canRead`). */
  async get(principal: Principal, id: string): Promise<ConversationRecord> {
    return this.access.readable(principal, id);
  }

  /** The application's conversations, or for a user the ones they are joined to or invited into. */
  async list(principal: Principal, page: PageQuery): Promise<Page<ConversationRecord>> {
    if (!principal.user) return this.store.listConversations(principal.application.id, page);
    const result = await this.store.listUserConversations(principal.user.id, page, {
      states: VISIBLE_STATES,
    });
    return { ...result, items: result.items.map((m) => m.conversation) };
  }

  /** The calling user's read state in the conversation, when they have a member there. */
  async readState(principal: Principal, id: string): Promise<ReadState | undefined> {
    if (!principal.user) return undefined;
    const member = await this.store.getMemberByUser(id, principal.user.id);
    return member && this.store.getReadState(member.id);
  }

  async listForUser(principal: Principal, userId: string, page: PageQuery): Promise<Page<Membership>> {
    this.access.requireSelfOrApplication(principal, userId);
    await this.access.user(principal, userId);
    return this.store.listUserConversations(userId, page, { states: VISIBLE_STATES });
  }

  /** Every conversation the calling user is joined to or invited into, with their member in each. */
  async allForUser(principal: Principal): Promise<Membership[]> {
    if (!principal.user) return [];
    return allMemberships(this.store, principal.user.id, VISIBLE_STATES);
  }

  async update(
    principal: Principal,
    id: string,
    patch: Omit<ConversationPatch, 'updated'>,
  ): Promise<ConversationRecord> {
    const conversation = await this.access.conversation(principal, id);
    await this.access.self(principal, id, JOINED);
    if (patch.joinPolicy !== undefined && principal.user && conversation.createdBy !== principal.user.id) {
      throw new ParleyError(
        'system:error:forbidden',
        'Only its owner or the application may change who can join a conversation',
      );
    }
    const updated = await this.store.updateConversation(id, { ...patch, updated: nowIso() });
    if (!updated) throw new ParleyError('conversation:error:not-found');
    return updated;
  }

  /** Deletes the conversation with its history: the application may, and a user only one they created. */
  async delete(principal: Principal, id: string): Promise<void> {
    const conversation = await this.access.conversation(principal, id);
    await this.access.self(principal, id, JOINED);
    if (principal.user && conversation.createdBy !== principal.user.id) {
      throw new ParleyError(
        'system:error:forbidden',
        'Only its creator or the application may delete a conversation',
      );
    }
    await this.store.deleteConversation(id);
    this.sink.conversationDeleted(id);
  }
}
