import type { Clock } from '../../core/clock.js';
import type { PresenceChange, PushedEvent } from '../../protocol/realtime.js';

/** How long presence changes gather before they are sent. */
export const PRESENCE_BATCH_MS = 50;

/**
 * Gathers users coming online or going offline, per conversation, and sends them together: a room that
 * connects all at once gets one `presence:update` per conversation per batch instead of one per arrival
 * (which grows with the square of the room).
 */
export class PresenceBatcher {
  /** Conversation id → user id → the latest change. */
  private readonly queue = new Map<string, Map<string, PresenceChange>>();
  private cancelTimer: (() => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly send: (event: PushedEvent) => void,
  ) {}

  /** `conversations` maps each conversation the user is in to their member there. */
  changed(userId: string, conversations: ReadonlyMap<string, string>, online: boolean): void {
    for (const [cid, memberId] of conversations) {
      let changes = this.queue.get(cid);
      if (!changes) this.queue.set(cid, (changes = new Map<string, PresenceChange>()));
      changes.set(userId, { user_id: userId, member_id: memberId, online });
    }
    if (this.queue.size > 0) this.cancelTimer ??= this.clock.setTimer(() => this.flush(), PRESENCE_BATCH_MS);
  }

  close(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.queue.clear();
  }

  private flush(): void {
    this.cancelTimer = undefined;
    const timestamp = new Date(this.clock.now()).toISOString();
    for (const [cid, changes] of this.queue) {
      const users = [...changes.values()];
      const only = users.length === 1 ? users[0] : undefined;
      this.send(
        only
          ? {
              type: 'presence:update',
              cid,
              from: only.member_id,
              timestamp,
              body: { user_id: only.user_id, online: only.online },
            }
          : { type: 'presence:update', cid, from: null, timestamp, body: { users } },
      );
    }
    this.queue.clear();
  }
}
