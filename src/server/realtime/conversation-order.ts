import type { Clock } from '../../core/clock.js';
import type { EventRecord } from '../../store/records.js';

/** How long a gap in a conversation's event ids may stay open before it is filled from the store. */
export const GAP_FILL_DELAY_MS = 100;

/** Ids missing before the first event that waits, inclusive. */
export interface Gap {
  from: number;
  to: number;
}

/**
 * One conversation's delivery order on this node: ids go out strictly in order and each once, whatever order
 * they arrive in. An early event waits for the gap before it; a gap still open after `GAP_FILL_DELAY_MS`
 * calls `onGapDue`, whose owner reads `gap()` from the store, `accept`s what it finds and then `skipTo`s the
 * end of the gap (ids still missing were never committed). Holds no I/O of its own.
 */
export class ConversationOrder {
  private next: number;
  private readonly pending = new Map<number, EventRecord>();
  private cancelTimer: (() => void) | undefined;

  constructor(
    firstId: number,
    private readonly clock: Pick<Clock, 'setTimer'>,
    private readonly onGapDue: () => void,
  ) {
    this.next = firstId;
  }

  /** The next id to deliver. */
  get nextId(): number {
    return this.next;
  }

  /** Takes an event; returns the events now ready to deliver, in id order (none while a gap precedes it). */
  accept(event: EventRecord): EventRecord[] {
    if (event.id < this.next) return [];
    if (event.id > this.next) {
      this.pending.set(event.id, event);
      this.arm();
      return [];
    }
    this.next = event.id + 1;
    return this.drain([event]);
  }

  gap(): Gap | undefined {
    if (this.pending.size === 0) return undefined;
    return { from: this.next, to: Math.min(...this.pending.keys()) - 1 };
  }

  /** Gives up on the ids up to `to`: returns the events that were waiting behind them and are now ready. */
  skipTo(to: number): EventRecord[] {
    if (to < this.next) return [];
    this.next = to + 1;
    for (const id of this.pending.keys()) if (id < this.next) this.pending.delete(id);
    return this.drain([]);
  }

  close(): void {
    this.disarm();
    this.pending.clear();
  }

  private drain(ready: EventRecord[]): EventRecord[] {
    for (let queued = this.pending.get(this.next); queued; queued = this.pending.get(this.next)) {
      this.pending.delete(queued.id);
      ready.push(queued);
      this.next = queued.id + 1;
    }
    if (this.pending.size === 0) this.disarm();
    else this.arm();
    return ready;
  }

  private arm(): void {
    this.cancelTimer ??= this.clock.setTimer(() => {
      this.cancelTimer = undefined;
      this.onGapDue();
    }, GAP_FILL_DELAY_MS);
  }

  private disarm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }
}
