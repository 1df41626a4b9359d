/** What a session leaves behind so that a reconnect carrying its `session_id` catches up. */
export interface ResumePoint {
  userId: string;
  keepText: boolean;
  acknowledge: boolean;
  /** Conversation id → highest event id the client has (acknowledged, or else been sent). */
  delivered: ReadonlyMap<string, number>;
}

/** A live `/v2/rtc` session, as the REST routes for sessions and a reconnecting client need it. */
export interface LiveV2Session {
  id: string;
  userId: string;
  /** Hands the session a fresh token (`PUT /v0.2/sessions/:id`), extending its life. */
  renew(token: string): void;
  /** Closes the session for a reconnect of the same client and returns where it was. */
  takeOver(): ResumePoint;
}

/** How long a closed session can be resumed: both SDKs give up reconnecting well within this. */
const RESUME_WINDOW_MS = 10 * 60_000;
const MAX_RESUME_POINTS = 10_000;

/** The `/v2/rtc` sessions of this node: the live ones, and the recently closed ones a client may resume. */
export class V2SessionDirectory {
  private readonly live = new Map<string, LiveV2Session>();
  private readonly closed = new Map<string, ResumePoint & { until: number }>();

  add(session: LiveV2Session): void {
    this.live.set(session.id, session);
  }

  /** The session has gone; `resume` is kept for a while unless it logged out or was taken over. */
  remove(id: string, resume?: ResumePoint): void {
    this.live.delete(id);
    if (!resume) return;
    const now = Date.now();
    for (const [key, point] of this.closed) {
      if (point.until > now && this.closed.size < MAX_RESUME_POINTS) break;
      this.closed.delete(key);
    }
    this.closed.set(id, { ...resume, until: now + RESUME_WINDOW_MS });
  }

  /**
   * Where the user's session `id` was, once. A reconnect often arrives before the server has noticed that
   * the old socket is dead (that takes a missed ping): then the old session is still live and is taken over.
   */
  resume(id: string, userId: string): ResumePoint | undefined {
    const point = this.closed.get(id);
    if (point && point.userId === userId) {
      this.closed.delete(id);
      return point.until > Date.now() ? point : undefined;
    }
    const live = this.live.get(id);
    if (live?.userId !== userId) return undefined;
    this.live.delete(id);
    return live.takeOver();
  }

  get(id: string): LiveV2Session | undefined {
    return this.live.get(id);
  }

  ofUser(userId: string): LiveV2Session[] {
    return [...this.live.values()].filter((s) => s.userId === userId);
  }
}
