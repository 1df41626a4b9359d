import { systemClock, type Clock } from '../../core/clock.js';

/** Something a `DeadlineQueue` can hold; both fields are the queue's bookkeeping, written only by it. */
export interface Deadlined {
  /** Epoch milliseconds. */
  deadline: number;
  /** Position in the queue's heap, or -1 while not queued. */
  deadlineSlot: number;
}

/** setTimeout fires at once for longer delays, so a far deadline is reached in steps of this. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `due(item)` once an item's deadline has passed, with one timer for all items (a binary min-heap
 * ordered by deadline) rather than a Node timer each: an idle realtime session then costs a heap slot,
 * not a Timeout, its closure and a timer list of its own.
 */
export class DeadlineQueue<T extends Deadlined> {
  private readonly heap: T[] = [];
  private cancelTimer: (() => void) | undefined;
  /** When the armed timer fires, epoch ms; Infinity when none is armed. */
  private timerAt = Infinity;

  constructor(
    private readonly due: (item: T) => void,
    private readonly clock: Clock = systemClock,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** Queues `item` for `deadline` (epoch ms), or moves it there if it is already queued. */
  set(item: T, deadline: number): void {
    item.deadline = deadline;
    if (item.deadlineSlot < 0) {
      item.deadlineSlot = this.heap.length;
      this.heap.push(item);
    }
    this.down(this.up(item.deadlineSlot));
    this.arm();
  }

  delete(item: T): void {
    const slot = item.deadlineSlot;
    if (slot < 0) return;
    item.deadlineSlot = -1;
    const last = this.heap.pop();
    if (last !== undefined && last !== item) {
      this.heap[slot] = last;
      last.deadlineSlot = slot;
      this.down(this.up(slot));
    }
    if (this.heap.length === 0) this.disarm();
  }

  /** Arms the timer for the earliest deadline, unless it is already armed for that time or sooner. */
  private arm(): void {
    const first = this.heap[0];
    if (first === undefined || first.deadline >= this.timerAt) return;
    this.disarm();
    this.timerAt = first.deadline;
    this.cancelTimer = this.clock.setTimer(
      () => this.fire(),
      Math.min(MAX_DELAY_MS, Math.max(0, first.deadline - this.clock.now())),
    );
  }

  private disarm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = Infinity;
  }

  private fire(): void {
    this.cancelTimer = undefined;
    this.timerAt = Infinity;
    try {
      const now = this.clock.now();
      for (let first = this.heap[0]; first !== undefined && first.deadline <= now; first = this.heap[0]) {
        this.delete(first);
        this.due(first);
      }
    } finally {
      this.arm();
    }
  }

  /** Moves the item at `slot` towards the root while it is due sooner than its parent; returns its slot. */
  private up(slot: number): number {
    const heap = this.heap;
    const item = heap[slot];
    if (item === undefined) return slot;
    while (slot > 0) {
      const parentSlot = (slot - 1) >> 1;
      const parent = heap[parentSlot];
      if (parent === undefined || parent.deadline <= item.deadline) break;
      heap[slot] = parent;
      parent.deadlineSlot = slot;
      slot = parentSlot;
    }
    heap[slot] = item;
    item.deadlineSlot = slot;
    return slot;
  }

  /** Moves the item at `slot` towards the leaves while a child is due sooner. */
  private down(slot: number): void {
    const heap = this.heap;
    const item = heap[slot];
    if (item === undefined) return;
    for (;;) {
      let childSlot = 2 * slot + 1;
      let child = heap[childSlot];
      if (child === undefined) break;
      const right = heap[childSlot + 1];
      if (right !== undefined && right.deadline < child.deadline) {
        childSlot++;
        child = right;
      }
      if (child.deadline >= item.deadline) break;
      heap[slot] = child;
      child.deadlineSlot = slot;
      slot = childSlot;
    }
    heap[slot] = item;
    item.deadlineSlot = slot;
  }
}

/** A session's token expiry, as the composition root's one queue holds it. */
export interface Expiry extends Deadlined {
  expire(): void;
}
