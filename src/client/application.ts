import type { PushedEvent, RealtimeConversation, SessionBody } from '../protocol/realtime.js';
import type { ConnectionState } from './codes.js';
import type { Connection, StateChange } from './connection.js';
import { Conversation } from './conversation.js';
import { Emitter } from './emitter.js';
import { ConnectionError, ParleyApiError } from './errors.js';
import type { ConversationEvent } from './events/conversation-event.js';
import type { Logger } from './logger.js';
import type { Member } from './member.js';
import type { OutgoingRequest, RequestOptions } from './request-queue.js';
import { parseConversation, parseConversationList, parseEvents, parseUser, type User } from './wire.js';

export interface ApplicationEvents {
  /** You were invited to a conversation. */
  'member:invited': [member: Member, event: ConversationEvent];
  /** You joined a conversation (from this or another session). */
  'member:joined': [member: Member, event: ConversationEvent];
  state: [change: StateChange];
  /** Something failed in the background (a reconnect login, a catch-up, loading a conversation). */
  error: [error: Error];
}

export interface NewConversationParams {
  /** Unique per application; the server picks one when absent. */
  name?: string;
  display_name?: string;
}

/** @internal What the Application needs from the client that created it. */
export interface ApplicationHost {
  logout(): Promise<void>;
  logger: Logger;
}

/** The logged-in user's view: their conversations and the calls that act as them. */
export class Application extends Emitter<ApplicationEvents> {
  readonly me: User;
  /** The server's id for this login session. */
  readonly session_id: string;
  /** Conversations you are in, by id; listed ones have members and history only after `getConversation`. */
  readonly conversations = new Map<string, Conversation>();
  private readonly loading = new Map<string, Promise<Conversation>>();
  /** Events for conversations being loaded, delivered once the history is in. */
  private readonly waiting = new Map<string, PushedEvent[]>();
  private readonly detachListeners: () => void;

  constructor(
    /** @internal */ readonly connection: Connection,
    session: SessionBody,
    private readonly host: ApplicationHost,
  ) {
    super();
    this.me = { id: session.user_id, name: session.name, display_name: session.display_name };
    this.session_id = session.id;
    const onState = (change: StateChange): void => this.emit('state', change);
    const onError = (error: Error): void => this.emit('error', error);
    const onPush = (event: PushedEvent): void => this.receive(event);
    const onSession = (_: SessionBody, reconnected: boolean): void => {
      if (reconnected) void this.resync();
    };
    connection.on('state', onState).on('error', onError).on('push', onPush).on('session', onSession);
    this.detachListeners = () => {
      connection.off('state', onState).off('error', onError).off('push', onPush).off('session', onSession);
    };
  }

  get state(): ConnectionState {
    return this.connection.state;
  }

  /** @internal */
  get logger(): Logger {
    return this.host.logger;
  }

  /** A conversation with its members and recent history in `events`; live events flow from then on. */
  async getConversation(id: string): Promise<Conversation> {
    const known = this.conversations.get(id);
    if (!known?.loaded) return this.load(id);
    known.catchUp();
    known.refresh(parseConversation(await this.request({ type: 'conversation:get', cid: id, body: {} })));
    return known;
  }

  /** Lists the conversations you are joined to or invited into (without their history). */
  async getConversations(): Promise<Map<string, Conversation>> {
    for (const wire of parseConversationList(await this.request({ type: 'user:conversations' })))
      this.list(wire);
    return this.conversations;
  }

  async newConversation(params: NewConversationParams = {}): Promise<Conversation> {
    const wire = parseConversation(await this.request({ type: 'new:conversation', body: { ...params } }));
    this.list(wire);
    try {
      return await this.load(wire.id);
    } catch (error) {
      // A server that hides a conversation from its creator until they join: start it empty.
      if (!(error instanceof ParleyApiError)) throw error;
      const conversation = this.list(wire);
      conversation.load(wire, []);
      return conversation;
    }
  }

  async newConversationAndJoin(params: NewConversationParams = {}): Promise<Conversation> {
    const conversation = await this.newConversation(params);
    await conversation.join();
    return conversation;
  }

  async getUser(userId: string = this.me.id): Promise<User> {
    return parseUser(await this.request({ type: 'user:get', body: { user_id: userId } }));
  }

  /** Renews the token; after the old one expired or was refused, this also logs in again and catches up. */
  updateToken(token: string): Promise<void> {
    return this.connection.updateToken(token);
  }

  logout(): Promise<void> {
    return this.host.logout();
  }

  /** @internal */
  request(request: OutgoingRequest, options?: RequestOptions): Promise<unknown> {
    return this.connection.request(request, options);
  }

  /** @internal Emits membership events about you at the application level. */
  announce(conversation: Conversation, member: Member, event: ConversationEvent): void {
    if (member.user.id !== this.me.id) return;
    if (event.type === 'member:invited' || event.type === 'member:joined')
      this.emit(event.type, member, event);
  }

  /** @internal */
  report(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    this.logger.warn(err);
    this.emit('error', err);
  }

  /** @internal The conversation was deleted. */
  forget(conversation: Conversation): void {
    conversation.close();
    if (this.conversations.get(conversation.id) === conversation) this.conversations.delete(conversation.id);
  }

  /** @internal Stops listening to the connection (after logout). */
  detach(): void {
    this.detachListeners();
    for (const conversation of this.conversations.values()) conversation.close();
  }

  private receive(event: PushedEvent): void {
    const conversation = this.conversations.get(event.cid);
    if (conversation?.loaded) return conversation.receive(event);
    if (event.type === 'conversation:deleted') {
      if (conversation) this.forget(conversation);
      return;
    }
    // Ephemeral events (typing, presence) about conversations not loaded change nothing visible.
    if (event.id === undefined) return;
    const waiting = this.waiting.get(event.cid);
    if (waiting) waiting.push(event);
    else this.waiting.set(event.cid, [event]);
    if (!this.loading.has(event.cid)) this.load(event.cid).catch((error: unknown) => this.report(error));
  }

  /** Creates or updates a conversation from a listing. */
  private list(wire: RealtimeConversation): Conversation {
    const known = this.conversations.get(wire.id);
    if (known) {
      known.update(wire);
      return known;
    }
    const conversation = new Conversation(this, wire);
    this.conversations.set(wire.id, conversation);
    return conversation;
  }

  private load(id: string): Promise<Conversation> {
    let loading = this.loading.get(id);
    if (!loading) {
      loading = this.fetchConversation(id).finally(() => this.loading.delete(id));
      this.loading.set(id, loading);
    }
    return loading;
  }

  private async fetchConversation(id: string): Promise<Conversation> {
    try {
      const wire = parseConversation(await this.request({ type: 'conversation:get', cid: id, body: {} }));
      const history = parseEvents(await this.request({ type: 'conversation:events', cid: id }), id);
      const conversation = this.list(wire);
      conversation.load(wire, history);
      const waiting = this.waiting.get(id) ?? [];
      this.waiting.delete(id);
      for (const event of waiting) {
        // Already in the history, so the conversation will not emit it, but nobody had heard of it yet.
        if (event.id !== undefined && event.id <= conversation.sequence_number)
          this.announceById(conversation, event.id);
        conversation.receive(event);
      }
      return conversation;
    } catch (error) {
      this.waiting.delete(id);
      throw error;
    }
  }

  private announceById(conversation: Conversation, id: number): void {
    const event = conversation.events.get(id);
    const member = event?.from ? conversation.members.get(event.from) : undefined;
    if (event && member && event.type.startsWith('member:')) this.announce(conversation, member, event);
  }

  /**
   * After a reconnect: catch up every loaded conversation you are still in, and load (and announce) the ones
   * you were added to meanwhile. A failure here is retried by the next reconnect.
   */
  private async resync(): Promise<void> {
    try {
      const listed = parseConversationList(await this.request({ type: 'user:conversations' }));
      const active = new Set(listed.map((c) => c.id));
      const added = listed.filter((c) => !this.conversations.has(c.id)).map((c) => c.id);
      for (const wire of listed) this.list(wire);
      for (const conversation of this.conversations.values()) {
        if (!conversation.loaded || !conversation.me) continue;
        if (!active.has(conversation.id)) {
          conversation.markLeft();
          continue;
        }
        this.getConversation(conversation.id).catch((error: unknown) =>
          this.logger.debug('refreshing members failed', error),
        );
      }
      for (const id of added) {
        const conversation = await this.load(id);
        const mine = [...conversation.events.values()]
          .reverse()
          .find((e) => e.type.startsWith('member:') && e.from === conversation.me?.id);
        if (mine?.id !== undefined) this.announceById(conversation, mine.id);
      }
    } catch (error) {
      if (error instanceof ConnectionError) this.logger.debug('resync interrupted', error);
      else this.report(error);
    }
  }
}
