import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { ConversationOrder, GAP_FILL_DELAY_MS } from '../../src/server/realtime/conversation-order.js';
import type { EventRecord } from '../../src/store/records.js';

const event = (id: number): EventRecord => ({
  id,
  conversationId: 'CON-1',
  type: 'text',
  from: 'MEM-1',
  body: { text: `m${id}` },
  clientRef: null,
  timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, id)).toISOString(),
  deleted: null,
});

/** Timers that run only when the test says so. */
function manualTimers() {
  const armed = new Set<{ fn: () => void; ms: number }>();
  const clock: Pick<Clock, 'setTimer'> = {
    setTimer(fn, ms) {
      const timer = { fn, ms };
      armed.add(timer);
      return () => armed.delete(timer);
    },
  };
  const fireAll = () => {
    const due = [...armed];
    armed.clear();
    for (const timer of due) timer.fn();
  };
  return { clock, armed, fireAll };
}

const ids = (events: EventRecord[]) => events.map((e) => e.id);

describe('one conversation in id order', () => {
  it('delivers events that arrive in order at once', () => {
    const { clock, armed } = manualTimers();
    const order = new ConversationOrder(1, clock, () => undefined);
    expect(ids(order.accept(event(1)))).toEqual([1]);
    expect(ids(order.accept(event(2)))).toEqual([2]);
    expect(order.nextId).toBe(3);
    expect(armed.size).toBe(0);
  });

  it('holds an early event until the gap before it closes, then delivers both in order', () => {
    const { clock, armed } = manualTimers();
    const order = new ConversationOrder(1, clock, () => undefined);
    expect(order.accept(event(3))).toEqual([]);
    expect(order.accept(event(2))).toEqual([]);
    expect(order.gap()).toEqual({ from: 1, to: 1 });
    expect([...armed].map((t) => t.ms)).toEqual([GAP_FILL_DELAY_MS]);
    expect(ids(order.accept(event(1)))).toEqual([1, 2, 3]);
    expect(order.gap()).toBeUndefined();
    expect(armed.size).toBe(0);
  });

  it('delivers a duplicate once, whether it repeats a delivered or a waiting event', () => {
    const { clock } = manualTimers();
    const order = new ConversationOrder(1, clock, () => undefined);
    expect(ids(order.accept(event(1)))).toEqual([1]);
    expect(order.accept(event(1))).toEqual([]);
    expect(order.accept(event(3))).toEqual([]);
    expect(order.accept(event(3))).toEqual([]);
    expect(ids(order.accept(event(2)))).toEqual([2, 3]);
    expect(order.accept(event(2))).toEqual([]);
  });

  it('starts after what a subscriber has already read', () => {
    const { clock } = manualTimers();
    const order = new ConversationOrder(6, clock, () => undefined);
    expect(order.accept(event(5))).toEqual([]);
    expect(ids(order.accept(event(6)))).toEqual([6]);
  });

  it('asks for a gap to be filled once it stays open, and skips ids that were never committed', () => {
    const { clock, armed, fireAll } = manualTimers();
    let due = 0;
    const order = new ConversationOrder(1, clock, () => due++);
    order.accept(event(1));
    order.accept(event(4));
    order.accept(event(5));
    expect(armed.size).toBe(1);
    fireAll();
    expect(due).toBe(1);
    const gap = order.gap();
    expect(gap).toEqual({ from: 2, to: 3 });
    // The store had id 2; id 3 was reserved by a commit that failed.
    expect(ids(order.accept(event(2)))).toEqual([2]);
    expect(ids(order.skipTo(gap!.to))).toEqual([4, 5]);
    expect(order.nextId).toBe(6);
    expect(armed.size).toBe(0);
  });

  it('keeps asking while a later gap is still open after the first is skipped', () => {
    const { clock, armed, fireAll } = manualTimers();
    const order = new ConversationOrder(1, clock, () => undefined);
    order.accept(event(2));
    order.accept(event(4));
    fireAll();
    expect(ids(order.skipTo(order.gap()!.to))).toEqual([2]);
    expect(order.gap()).toEqual({ from: 3, to: 3 });
    expect(armed.size).toBe(1);
  });

  it('ignores a skip to ids already delivered, and stops its timer when closed', () => {
    const { clock, armed } = manualTimers();
    const order = new ConversationOrder(1, clock, () => undefined);
    order.accept(event(1));
    expect(order.skipTo(0)).toEqual([]);
    order.accept(event(3));
    expect(armed.size).toBe(1);
    order.close();
    expect(armed.size).toBe(0);
    expect(order.gap()).toBeUndefined();
  });
});
