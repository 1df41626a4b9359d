import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineQueue, type Deadlined } from '../../src/server/realtime/deadline-queue.js';

interface Item extends Deadlined {
  name: string;
}

const item = (name: string): Item => ({ name, deadline: 0, deadlineSlot: -1 });

describe('one timer for many deadlines', () => {
  let fired: string[];
  let queue: DeadlineQueue<Item>;

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    fired = [];
    queue = new DeadlineQueue<Item>((i) => fired.push(i.name));
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('calls each item once, when its deadline passes, in deadline order', () => {
    const now = Date.now();
    for (const [name, at] of [
      ['c', 300],
      ['a', 100],
      ['d', 400],
      ['b', 200],
      ['b2', 210],
    ] as const)
      queue.set(item(name), now + at);
    vi.advanceTimersByTime(99);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(250);
    expect(fired).toEqual(['a', 'b', 'b2', 'c']);
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual(['a', 'b', 'b2', 'c', 'd']);
    expect(queue.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('moves a queued item to its new deadline, earlier or later', () => {
    const now = Date.now();
    const a = item('a');
    const b = item('b');
    queue.set(a, now + 100);
    queue.set(b, now + 200);
    queue.set(a, now + 300);
    queue.set(b, now + 50);
    vi.advanceTimersByTime(50);
    expect(fired).toEqual(['b']);
    vi.advanceTimersByTime(200);
    expect(fired).toEqual(['b']);
    vi.advanceTimersByTime(50);
    expect(fired).toEqual(['b', 'a']);
  });

  it('never calls a deleted item, and stops its timer once empty', () => {
    const now = Date.now();
    const items = Array.from({ length: 20 }, (_, i) => item(`i${i}`));
    items.forEach((it, i) => queue.set(it, now + 10 * ((i * 7) % 20) + 10));
    for (const it of items.filter((_, i) => i % 3 === 0)) queue.delete(it);
    queue.delete(item('never queued'));
    vi.advanceTimersByTime(1000);
    expect(fired.sort()).toEqual(
      items
        .filter((_, i) => i % 3 !== 0)
        .map((it) => it.name)
        .sort(),
    );
    const last = item('last');
    queue.set(last, Date.now() + 100);
    queue.delete(last);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('calls a past deadline on the next turn, not during set', () => {
    queue.set(item('late'), Date.now() - 5000);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(fired).toEqual(['late']);
  });

  it('waits out a deadline beyond the longest setTimeout delay', () => {
    const day = 24 * 3600_000;
    queue.set(item('far'), Date.now() + 30 * day);
    vi.advanceTimersByTime(29 * day);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(day);
    expect(fired).toEqual(['far']);
  });
});
