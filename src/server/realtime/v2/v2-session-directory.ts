/** A live `/v2/rtc` session, as the REST routes for sessions need it. */
export interface LiveV2Session {
  id: string;
  userId: string;
  /** Hands the session a fresh token (`PUT /v0.2/sessions/:id`), extending its life. */
  renew(token: string): void;
}

/** What a closed session leaves behind so that a reconnect carrying its `session_id` catches up. */
export interface ResumePoint {
  userId: string;
  keepText: boolean;
  acknowledge: boolean;
  /** Conversation id → highest event id pushed on the old socket. */
  pushed: ReadonlyMap<string, number>;
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

  /** The session has gone; `resume` is kept for a while unless it logged out. */
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

  /** Takes the resume point of a closed session, once. */
  resume(id: string): ResumePoint | undefined {
    const point = this.closed.get(id);
    this.closed.delete(id);
    return point && point.until > Date.now() ? point : undefined;
  }

  get(id: string): LiveV2Session | undefined {
    return this.live.get(id);
  }

  ofUser(userId: string): LiveV2Session[] {
    return [...this.live.values()].filter((s) => s.userId === userId);
  }
}
