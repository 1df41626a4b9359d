import type { Connection } from './connection.js';

/** What the hub knows of a logged-in session. */
export interface HubSession {
  readonly userId: string;
  readonly connection: Connection;
  /** The id clients see and the token's expiry (epoch seconds); every logged-in session has both. */
  readonly id?: string;
  readonly principal?: { readonly expiresAt: number };
}

const NONE: ReadonlySet<HubSession> = new Set();
const NO_CONVERSATIONS: ReadonlyMap<string, string> = new Map();

/**
 * Which sessions are logged in here and which conversations each is subscribed to, with its member there.
 * The only writer of `user → sessions`, `cid → sessions` and `session → (cid → member id)`; everybody else
 * reads.
 */
export class Subscriptions {
  private readonly byUser = new Map<string, Set<HubSession>>();
  private readonly byConversation = new Map<string, Set<HubSession>>();
  private readonly bySession = new Map<HubSession, Map<string, string>>();

  get sessionCount(): number {
    return this.bySession.size;
  }

  addSession(session: HubSession): void {
    if (this.bySession.has(session)) return;
    this.bySession.set(session, new Map());
    let sessions = this.byUser.get(session.userId);
    if (!sessions) this.byUser.set(session.userId, (sessions = new Set()));
    sessions.add(session);
  }

  /** Forgets the session; returns the conversations it was subscribed to, or undefined if it was not here. */
  removeSession(session: HubSession): string[] | undefined {
    const conversations = this.bySession.get(session);
    if (!conversations) return undefined;
    const cids = [...conversations.keys()];
    for (const cid of cids) this.unsubscribe(session, cid);
    this.bySession.delete(session);
    const sessions = this.byUser.get(session.userId);
    sessions?.delete(session);
    if (sessions?.size === 0) this.byUser.delete(session.userId);
    return cids;
  }

  /** Subscribes a registered session; one that is gone (or never logged in) is ignored. */
  subscribe(session: HubSession, cid: string, memberId: string): void {
    const conversations = this.bySession.get(session);
    if (!conversations) return;
    conversations.set(cid, memberId);
    let sessions = this.byConversation.get(cid);
    if (!sessions) this.byConversation.set(cid, (sessions = new Set()));
    sessions.add(session);
  }

  unsubscribe(session: HubSession, cid: string): void {
    this.bySession.get(session)?.delete(cid);
    const sessions = this.byConversation.get(cid);
    sessions?.delete(session);
    if (sessions?.size === 0) this.byConversation.delete(cid);
  }

  sessionsOf(userId: string): ReadonlySet<HubSession> {
    return this.byUser.get(userId) ?? NONE;
  }

  sessionsIn(cid: string): ReadonlySet<HubSession> {
    return this.byConversation.get(cid) ?? NONE;
  }

  users(): IterableIterator<string> {
    return this.byUser.keys();
  }

  allSessions(): IterableIterator<HubSession> {
    return this.bySession.keys();
  }

  /** The session user's member in `cid`, when the session is subscribed there. */
  memberIn(session: HubSession, cid: string): string | undefined {
    return this.bySession.get(session)?.get(cid);
  }

  /** Conversation id → member id, for every conversation the session is subscribed to. */
  conversationsOf(session: HubSession): ReadonlyMap<string, string> {
    return this.bySession.get(session) ?? NO_CONVERSATIONS;
  }
}
