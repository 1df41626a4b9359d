import { describe, expect, it } from 'vitest';
import { backoff } from '../../src/client/backoff.js';

describe('backoff', () => {
  const opts = { minDelayMs: 100, maxDelayMs: 5000 };

  it('waits at least the minimum and at most the maximum', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      expect(backoff(attempt, opts, () => 0)).toBe(100);
      expect(backoff(attempt, opts, () => 0.999999)).toBeLessThanOrEqual(5000);
    }
  });

  it('widens the random range exponentially with each attempt', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6].map((a) => backoff(a, opts, () => 0.999999));
    expect(ceilings).toEqual([199, 299, 499, 899, 1699, 3299, 5000]);
  });

  it('spreads clients over the range (full jitter)', () => {
    expect(backoff(3, opts, () => 0.5)).toBe(500);
  });
});
