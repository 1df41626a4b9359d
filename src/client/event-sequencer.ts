import type { PushedEvent } from '../protocol/realtime.js';
import { isTemporary } from './errors.js';

/** The most `conversation:events` returns per page. */
export const MAX_PAGE_SIZE = 1000;

export interface SequencerHooks {
  /** One page of persisted events from `startId` on, oldest first. */
  fetch(startId: number, pageSize: number): Promise<PushedEvent[]>;
  /** Called once per persisted event, in id order, and for every ephemeral event in arrival order. */
  deliver(event: PushedEvent): void;
  /** A gap could not be filled for a reason retrying will not fix; the sequencer skips past it. */
  failed(error: unknown): void;
}

/**
 * Delivers one conversation's events exactly once and in id order. Persisted events carry contiguous ids:
 * an id at or below the last delivered one is a duplicate; one beyond the next is held back until the gap
 * before it is fetched. Ephemeral events (no id) keep their place in the queue.
 */
export class EventSequencer {
  private readonly queue: PushedEvent[] = [];
  private catchUpWanted = false;
  private running = false;
  private closed = false;

  constructor(
    /** The newest id delivered so far. */
    public lastSeenId: number,
    private readonly hooks: SequencerHooks,
  ) {}

  push(event: PushedEvent): void {
    if (this.closed) return;
    this.queue.push(event);
    void this.drain();
  }

  /** Fetches and delivers everything after `lastSeenId` (after a reconnect), ahead of what is queued. */
  catchUp(): void {
    if (this.closed) return;
    this.catchUpWanted = true;
    void this.drain();
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.closed) {
        if (this.catchUpWanted) {
          this.catchUpWanted = false;
          // On a temporary failure stop here: the next push, or the catch-up after a reconnect, resumes.
          if (!(await this.fill(Infinity)) && !this.catchUpWanted) break;
          continue;
        }
        const next = this.queue[0];
        if (!next) break;
        if (next.id !== undefined && next.id > this.lastSeenId + 1) {
          if (!(await this.fill(next.id - 1)) && !this.catchUpWanted) break;
          continue;
        }
        this.queue.shift();
        this.accept(next);
      }
    } finally {
      this.running = false;
    }
  }

  /** Fetches pages until `target` (or the end) is delivered; false when it has to wait for a retry. */
  private async fill(target: number): Promise<boolean> {
    for (;;) {
      const before = this.lastSeenId;
      const size = Math.min(MAX_PAGE_SIZE, target - before);
      let page: PushedEvent[];
      try {
        page = await this.hooks.fetch(before + 1, size);
      } catch (error) {
        if (isTemporary(error)) return false;
        this.hooks.failed(error);
        if (Number.isFinite(target)) this.lastSeenId = Math.max(this.lastSeenId, target);
        return true;
      }
      if (this.closed) return false;
      for (const event of page) this.accept(event);
      if (page.length < size || this.lastSeenId >= target || this.lastSeenId === before) return true;
    }
  }

  private accept(event: PushedEvent): void {
    if (event.id !== undefined) {
      if (event.id <= this.lastSeenId) return;
      this.lastSeenId = event.id;
    }
    try {
      this.hooks.deliver(event);
    } catch (error) {
      this.hooks.failed(error);
    }
  }
}
