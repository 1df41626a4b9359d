import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  CLOSE_CODES,
  NATIVE_PATH,
  SUCCESS_TYPE,
  type PushedEvent,
  type RealtimeConversation,
  type RealtimeMember,
  type RealtimeRequest,
} from '../../src/protocol/realtime.js';

/**
 * An in-process native-transport server for deterministic SDK tests: a real `ws` server on port 0 with a
 * small in-memory model (users, conversations, members, events with contiguous ids), and hooks to hold,
 * refuse or drop what the client sends and to push what the test wants.
 */

export interface FakeUser {
  id: string;
  name: string;
  display_name: string | null;
  token: string;
}

interface FakeMember {
  member_id: string;
  user: FakeUser;
  state: RealtimeMember['state'];
  timestamp: RealtimeMember['timestamp'];
  invited_by?: string;
}

export interface FakeConversation {
  id: string;
  name: string;
  display_name: string | null;
  created: string;
  members: FakeMember[];
  events: PushedEvent[];
  clientRefs: Map<string, number>;
}

export interface FakeSession {
  socket: WebSocket;
  user: FakeUser | null;
}

/** What to do with a request instead of the default handling. */
export type Interception =
  | 'ignore'
  | 'close'
  /** Handle it (commit) but close the connection instead of replying. */
  | 'commit-then-close'
  | { reply: Record<string, unknown> }
  | undefined;

export interface Received extends RealtimeRequest {
  session: FakeSession;
}

class RequestError extends Error {
  constructor(
    readonly code: string,
    description: string,
  ) {
    super(description);
  }
}

const now = (): string => new Date().toISOString();

export class FakeServer {
  readonly users = new Map<string, FakeUser>();
  readonly conversations = new Map<string, FakeConversation>();
  readonly sessions = new Set<FakeSession>();
  readonly received: Received[] = [];
  readonly expiredTokens = new Set<string>();
  /** Return an interception to override the default handling of one request. */
  intercept: ((request: Received) => Interception) | null = null;
  /** Closes this many upcoming connections right after they open (to exercise reconnect backoff). */
  refuseConnections = 0;
  /** Every connection attempt, accepted or not. */
  readonly connectionTimes: number[] = [];
  private nextId = 1;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {
    wss.on('connection', (socket) => this.accept(socket));
  }

  static async start(): Promise<FakeServer> {
    const http = createServer();
    const wss = new WebSocketServer({ server: http, path: NATIVE_PATH });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    return new FakeServer(http, wss, `http://127.0.0.1:${port}`);
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  addUser(name: string, display_name: string | null = null): FakeUser {
    const user: FakeUser = { id: `USR-${name}`, name, display_name, token: `token-${name}` };
    this.users.set(user.id, user);
    return user;
  }

  addConversation(name = `conv-${this.nextId}`, display_name: string | null = null): FakeConversation {
    const conversation: FakeConversation = {
      id: `CON-${this.nextId++}`,
      name,
      display_name,
      created: now(),
      members: [],
      events: [],
      clientRefs: new Map(),
    };
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  /** Adds (or moves) a member and records the member event; `push: false` leaves it for catch-up. */
  setMember(
    conversation: FakeConversation,
    user: FakeUser,
    state: RealtimeMember['state'],
    options: { push?: boolean; invitedBy?: string } = {},
  ): FakeMember {
    let member = conversation.members.find((m) => m.user.id === user.id);
    const at = now();
    const stamp = { INVITED: 'invited', JOINED: 'joined', LEFT: 'left' } as const;
    if (!member) {
      member = { member_id: `MEM-${user.name}-${conversation.id}`, user, state, timestamp: {} };
      conversation.members.push(member);
    }
    member.state = state;
    member.timestamp = { ...member.timestamp, [stamp[state]]: at };
    if (options.invitedBy) member.invited_by = options.invitedBy;
    const body: Record<string, unknown> = {
      user: { id: user.id, user_id: user.id, name: user.name, display_name: user.display_name },
      channel: { type: 'app' },
      state,
      timestamp: member.timestamp,
      member_id: member.member_id,
    };
    if (member.invited_by) body.invited_by = member.invited_by;
    const type = { INVITED: 'member:invited', JOINED: 'member:joined', LEFT: 'member:left' }[state];
    this.append(conversation, { type, from: member.member_id, body }, { push: options.push, alsoTo: user });
    return member;
  }

  memberOf(conversation: FakeConversation, user: FakeUser): FakeMember {
    const member = conversation.members.find((m) => m.user.id === user.id);
    if (!member) throw new Error(`${user.name} is not in ${conversation.id}`);
    return member;
  }

  /** Stores an event with the next id and pushes it to the members' sessions unless `push: false`. */
  append(
    conversation: FakeConversation,
    event: { type: string; from: string | null; body: Record<string, unknown> },
    options: { push?: boolean | undefined; alsoTo?: FakeUser } = {},
  ): PushedEvent {
    const stored: PushedEvent = {
      type: event.type,
      cid: conversation.id,
      id: conversation.events.length + 1,
      from: event.from,
      timestamp: now(),
      body: event.body,
    };
    conversation.events.push(stored);
    if (options.push !== false) this.pushTo(conversation, stored, options.alsoTo);
    return stored;
  }

  /** Sends an event to the sessions of the conversation's joined and invited members. */
  pushTo(conversation: FakeConversation, event: PushedEvent, alsoTo?: FakeUser): void {
    const users = new Set(conversation.members.filter((m) => m.state !== 'LEFT').map((m) => m.user.id));
    if (alsoTo) users.add(alsoTo.id);
    for (const session of this.sessions) {
      if (session.user && users.has(session.user.id)) this.send(session, event);
    }
  }

  send(session: FakeSession, frame: unknown): void {
    if (session.socket.readyState === session.socket.OPEN) session.socket.send(JSON.stringify(frame));
  }

  sessionsOf(user: FakeUser): FakeSession[] {
    return [...this.sessions].filter((s) => s.user?.id === user.id);
  }

  /** Closes every connection from the server side. */
  dropAll(code: number = CLOSE_CODES.goingAway): void {
    for (const session of this.sessions) session.socket.close(code);
  }

  /** Cuts every connection without a close handshake. */
  terminateAll(): void {
    for (const session of this.sessions) session.socket.terminate();
  }

  requestsOf(type: string): Received[] {
    return this.received.filter((r) => r.type === type);
  }

  private accept(socket: WebSocket): void {
    this.connectionTimes.push(Date.now());
    if (this.refuseConnections > 0) {
      this.refuseConnections--;
      socket.close(CLOSE_CODES.goingAway);
      return;
    }
    const session: FakeSession = { socket, user: null };
    this.sessions.add(session);
    socket.on('close', () => {
      this.sessions.delete(session);
      if (session.user && this.sessionsOf(session.user).length === 0) this.presence(session.user, false);
    });
    socket.on('message', (data) => {
      const request = JSON.parse(String(data)) as RealtimeRequest;
      const received: Received = { ...request, session };
      this.received.push(received);
      const interception = this.intercept?.(received);
      if (interception === 'ignore') return;
      if (interception === 'close') {
        socket.close(CLOSE_CODES.goingAway);
        return;
      }
      if (typeof interception === 'object') {
        this.send(session, { rid: request.tid, ...interception.reply });
        return;
      }
      let reply: Record<string, unknown>;
      try {
        reply = { type: SUCCESS_TYPE[request.type], rid: request.tid, body: this.handle(session, request) };
      } catch (error) {
        if (!(error instanceof RequestError)) throw error;
        reply = { type: error.code, rid: request.tid, code: error.code, description: error.message };
      }
      if (interception === 'commit-then-close') socket.close(CLOSE_CODES.goingAway);
      else this.send(session, reply);
    });
  }

  /** Tells the conversations a user is joined to that their first session opened or last one closed. */
  private presence(user: FakeUser, online: boolean): void {
    for (const conversation of this.conversations.values()) {
      const member = conversation.members.find((m) => m.user.id === user.id && m.state === 'JOINED');
      if (!member) continue;
      this.pushTo(conversation, {
        type: 'presence:update',
        cid: conversation.id,
        from: member.member_id,
        timestamp: now(),
        body: { user_id: user.id, online },
      });
    }
  }

  private conversation(request: RealtimeRequest): FakeConversation {
    const conversation = request.cid === undefined ? undefined : this.conversations.get(request.cid);
    if (!conversation) throw new RequestError('conversation:error:not-found', 'Conversation not found');
    return conversation;
  }

  private visible(conversation: FakeConversation, user: FakeUser): FakeMember {
    const member = conversation.members.find((m) => m.user.id === user.id && m.state !== 'LEFT');
    if (!member)
      throw new RequestError('conversation:error:not-member', 'You are not a member of this conversation');
    return member;
  }

  private joined(conversation: FakeConversation, user: FakeUser, from: string | undefined): FakeMember {
    const member = this.visible(conversation, user);
    if (member.state !== 'JOINED') throw new RequestError('conversation:error:not-member', 'Not joined');
    if (from !== undefined && from !== member.member_id) {
      throw new RequestError('event:error:invalid-from', 'The event must come from your own joined member');
    }
    return member;
  }

  private wireMember(member: FakeMember): RealtimeMember {
    return {
      member_id: member.member_id,
      user_id: member.user.id,
      name: member.user.name,
      display_name: member.user.display_name,
      state: member.state,
      timestamp: member.timestamp,
      channel: { type: 'app' },
      online: this.sessionsOf(member.user).length > 0,
      ...(member.invited_by === undefined ? {} : { invited_by: member.invited_by }),
    };
  }

  private wireConversation(conversation: FakeConversation, user?: FakeUser): RealtimeConversation {
    const out: RealtimeConversation = {
      id: conversation.id,
      name: conversation.name,
      display_name: conversation.display_name,
      timestamp: { created: conversation.created, updated: conversation.created },
      sequence_number: conversation.events.length,
    };
    const me = user && conversation.members.find((m) => m.user.id === user.id);
    if (me) {
      out.member_id = me.member_id;
      out.state = me.state;
    }
    return out;
  }

  private userByToken(token: unknown): FakeUser {
    if (typeof token === 'string' && this.expiredTokens.has(token)) {
      throw new RequestError('system:error:expired-token', 'The token has expired');
    }
    const user = [...this.users.values()].find((u) => u.token === token);
    if (!user) throw new RequestError('system:error:invalid-token', 'Bad token');
    return user;
  }

  private handle(session: FakeSession, request: RealtimeRequest): unknown {
    const body = request.body ?? {};
    if (request.type === 'session:login') {
      session.user = this.userByToken(body.token);
      if (this.sessionsOf(session.user).length === 1) this.presence(session.user, true);
      const { id, name, display_name } = session.user;
      return { id: `SESSION-${this.nextId++}`, user_id: id, name, display_name };
    }
    const user = session.user;
    if (!user) throw new RequestError('session:error:not-logged-in', 'Log in first');
    switch (request.type) {
      case 'session:update-token':
        this.userByToken(body.token);
        return {};
      case 'session:logout':
        setTimeout(() => session.socket.close(CLOSE_CODES.normal));
        return {};
      case 'user:get': {
        const found = this.users.get(String(body.user_id));
        if (!found) throw new RequestError('user:error:not-found', 'User not found');
        return { id: found.id, name: found.name, display_name: found.display_name };
      }
      case 'user:conversations':
        return [...this.conversations.values()]
          .filter((c) => c.members.some((m) => m.user.id === user.id && m.state !== 'LEFT'))
          .map((c) => this.wireConversation(c, user));
      case 'conversation:get': {
        const conversation = this.conversation(request);
        this.visible(conversation, user);
        return {
          ...this.wireConversation(conversation, user),
          members: conversation.members.map((m) => this.wireMember(m)),
        };
      }
      case 'conversation:events': {
        const conversation = this.conversation(request);
        this.visible(conversation, user);
        const start = typeof body.start_id === 'number' ? body.start_id : undefined;
        const end = typeof body.end_id === 'number' ? body.end_id : Infinity;
        const size = typeof body.page_size === 'number' ? body.page_size : start === undefined ? 100 : 1000;
        const range = conversation.events.filter((e) => (e.id ?? 0) >= (start ?? 1) && (e.id ?? 0) <= end);
        return start === undefined || body.order === 'desc' ? range.slice(-size) : range.slice(0, size);
      }
      case 'new:conversation': {
        const conversation = this.addConversation(
          typeof body.name === 'string' ? body.name : undefined,
          typeof body.display_name === 'string' ? body.display_name : null,
        );
        return this.wireConversation(conversation);
      }
      case 'conversation:join': {
        const conversation = this.conversation(request);
        const member = this.setMember(conversation, user, 'JOINED');
        return this.wireMember(member);
      }
      case 'conversation:invite': {
        const conversation = this.conversation(request);
        this.joined(conversation, user, undefined);
        const invitee = [...this.users.values()].find(
          (u) => u.name === body.user_name || u.id === body.user_id,
        );
        if (!invitee) throw new RequestError('user:error:not-found', 'User not found');
        return this.wireMember(this.setMember(conversation, invitee, 'INVITED', { invitedBy: user.name }));
      }
      case 'conversation:member:delete': {
        const conversation = this.conversation(request);
        const member = conversation.members.find((m) => m.member_id === body.member_id);
        if (!member) throw new RequestError('member:error:not-found', 'Member not found');
        return this.wireMember(this.setMember(conversation, member.user, 'LEFT'));
      }
      case 'conversation:delete': {
        const conversation = this.conversation(request);
        this.conversations.delete(conversation.id);
        this.pushTo(conversation, {
          type: 'conversation:deleted',
          cid: conversation.id,
          from: null,
          timestamp: now(),
          body: {},
        });
        return {};
      }
      case 'text': {
        const conversation = this.conversation(request);
        const member = this.joined(conversation, user, request.from);
        const ref =
          request.client_ref === undefined ? undefined : `${member.member_id}/${request.client_ref}`;
        const existing = ref === undefined ? undefined : conversation.clientRefs.get(ref);
        if (existing !== undefined) {
          const event = conversation.events[existing - 1];
          return { id: existing, timestamp: event?.timestamp };
        }
        const event = this.append(conversation, {
          type: 'text',
          from: member.member_id,
          body: { text: body.text },
        });
        if (ref !== undefined && event.id !== undefined) conversation.clientRefs.set(ref, event.id);
        return { id: event.id, timestamp: event.timestamp };
      }
      case 'text:typing:on':
      case 'text:typing:off':
      case 'text:delivered': {
        const conversation = this.conversation(request);
        const member = this.joined(conversation, user, request.from);
        const eventBody =
          request.type === 'text:delivered' ? { event_id: body.event_id } : { activity: body.activity };
        this.pushTo(conversation, {
          type: request.type,
          cid: conversation.id,
          from: member.member_id,
          timestamp: now(),
          body: eventBody,
        });
        return {};
      }
      case 'text:seen': {
        const conversation = this.conversation(request);
        const member = this.joined(conversation, user, request.from);
        const event = this.append(conversation, {
          type: 'text:seen',
          from: member.member_id,
          body: { event_id: body.event_id },
        });
        return { id: event.id, timestamp: event.timestamp };
      }
      case 'event:delete': {
        const conversation = this.conversation(request);
        const member = this.joined(conversation, user, request.from);
        const target = conversation.events.find((e) => e.id === body.event_id);
        if (!target) throw new RequestError('event:error:not-found', 'Event not found');
        target.body = {};
        this.append(conversation, {
          type: 'event:delete',
          from: member.member_id,
          body: { event_id: body.event_id },
        });
        return {};
      }
    }
  }
}
