import type { PushedEvent, RealtimeConversation, RequestType, SessionBody } from '../protocol/realtime.js';
import type { ReplyOf } from '../protocol/realtime-api.js';
import { httpBaseOf } from './media-upload.js';
import { ConnectionState } from './codes.js';
import type { Connection, StateChange } from './connection.js';
import { Conversation, type ConversationHost } from './conversation.js';
import { Emitter } from './emitter.js';
import { ConnectionError, ParleyApiError } from './errors.js';
import type { ConversationEvent } from './events/conversation-event.js';
import type { Logger } from './logger.js';
import type { Member } from './member.js';
import type { RequestOptions } from './request-queue.js';
import type { OutgoingRequest, User } from './wire.js';

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
  private readonly byId = new Map<string, Conversation>();
  /** What each Conversation may ask of this Application. */
  private readonly conversationHost: ConversationHost;
  private readonly detachListeners: () => void;

  /** @internal Made by `ConversationClient.login`. */
  constructor(
    private readonly connection: Connection,
    session: SessionBody,
    private readonly host: ApplicationHost,
  ) {
    super();
    this.me = { id: session.user_id, name: session.name, display_name: session.display_name };
    this.session_id = session.id;
    this.conversationHost = {
      me: this.me,
      logger: host.logger,
      isConnected: () => connection.state === ConnectionState.Connected,
      request: (request, options) => this.request(request, options),
      report: (error) => this.report(error),
      membershipChanged: (_, member, event) => this.membershipChanged(member, event),
      forget: (conversation) => this.forget(conversation),
      upload: {
        httpBase: () => httpBaseOf(connection.socketUrl),
        token: () => connection.currentToken,
      },
    };
    const onState = (change: StateChange): void => this.emit('state', change);
    const onError = (error: Error): void => this.emit('error', error);
    const onPush = (event: PushedEvent): void => this.route(event);
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

  /** Conversations you are in, by id; listed ones have members and history only after `getConversation`. */
  get conversations(): ReadonlyMap<string, Conversation> {
    return this.byId;
  }

  /** A conversation with its members and recent history in `events`; live events flow from then on. */
  getConversation(id: string): Promise<Conversation> {
    return (this.byId.get(id) ?? this.adopt(id)).open();
  }

  /** Lists the conversations you are joined to or invited into (without their history). */
  async getConversations(): Promise<ReadonlyMap<string, Conversation>> {
    for (const wire of await this.request({ type: 'user:conversations' })) this.list(wire);
    return this.byId;
  }

  async newConversation(params: NewConversationParams = {}): Promise<Conversation> {
    const wire = await this.request({ type: 'new:conversation', body: { ...params } });
    const conversation = this.list(wire);
    try {
      return await conversation.open();
    } catch (error) {
      // A server that hides a conversation from its creator until they join: start it empty.
      if (!(error instanceof ParleyApiError)) throw error;
      conversation.start(wire, []);
      return conversation;
    }
  }

  async newConversationAndJoin(params: NewConversationParams = {}): Promise<Conversation> {
    const conversation = await this.newConversation(params);
    await conversation.join();
    return conversation;
  }

  async getUser(userId: string = this.me.id): Promise<User> {
    const { id, name, display_name } = await this.request({ type: 'user:get', body: { user_id: userId } });
    return { id, name, display_name };
  }

  /** Renews the token; after the old one expired or was refused, this also logs in again and catches up. */
  updateToken(token: string): Promise<void> {
    return this.connection.updateToken(token);
  }

  logout(): Promise<void> {
    return this.host.logout();
  }

  /** @internal Stops listening to the connection (after logout). */
  detach(): void {
    this.detachListeners();
    for (const conversation of this.byId.values()) conversation.close();
  }

  private request<K extends RequestType>(
    request: OutgoingRequest<K>,
    options?: RequestOptions,
  ): Promise<ReplyOf<K>> {
    return this.connection.request(request, options);
  }

  /** Emits membership events about you at the application level. */
  private membershipChanged(member: Member, event: ConversationEvent): void {
    if (member.user.id !== this.me.id) return;
    if (event.type === 'member:invited' || event.type === 'member:joined')
      this.emit(event.type, member, event);
  }

  private report(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    this.host.logger.warn(err);
    this.emit('error', err);
  }

  private forget(conversation: Conversation): void {
    conversation.close();
    if (this.byId.get(conversation.id) === conversation) this.byId.delete(conversation.id);
  }

  /** Hands a pushed event to its conversation; one about a conversation not heard of yet makes it known. */
  private route(event: PushedEvent): void {
    const known = this.byId.get(event.cid);
    if (known) return known.receive(event);
    // Only a persisted event (an invitation, say) is worth loading a conversation for.
    if (event.id === undefined || event.type === 'conversation:deleted') return;
    this.adopt(event.cid).receive(event);
  }

  /** A conversation known only by id until it loads (dropped again if that fails). */
  private adopt(id: string): Conversation {
    const conversation = new Conversation(this.conversationHost, id);
    this.byId.set(id, conversation);
    return conversation;
  }

  /** Creates or updates a conversation from a listing. */
  private list(wire: RealtimeConversation): Conversation {
    const conversation = this.byId.get(wire.id) ?? this.adopt(wire.id);
    conversation.update(wire);
    return conversation;
  }

  /**
   * After a reconnect: catch up every loaded conversation you are still in, and load (and announce) the ones
   * you were added to meanwhile. A failure here is retried by the next reconnect.
   */
  private async resync(): Promise<void> {
    try {
      const listed = await this.request({ type: 'user:conversations' });
      const active = new Set(listed.map((c) => c.id));
      const added = listed.filter((c) => !this.byId.has(c.id)).map((c) => this.list(c));
      for (const wire of listed) this.list(wire);
      for (const conversation of this.byId.values()) {
        if (conversation.loadState !== 'loaded' || !conversation.me) continue;
        if (!active.has(conversation.id)) {
          conversation.markLeft();
          continue;
        }
        conversation
          .open()
          .catch((error: unknown) => this.host.logger.debug('refreshing members failed', error));
      }
      for (const conversation of added) {
        await conversation.open();
        conversation.announceOwnMembership();
      }
    } catch (error) {
      if (error instanceof ConnectionError) this.host.logger.debug('resync interrupted', error);
      else this.report(error);
    }
  }
}
