/** ISO-8601 UTC with milliseconds, the one timestamp format on every wire. */
export const nowIso = (): string => new Date().toISOString();

/**
 * Time and timers, injected so tests can move time on instead of sleeping. `now` is epoch milliseconds;
 * `setTimer` runs `fn` once after `ms` (without keeping the process alive) and returns a cancel function.
 */
export interface Clock {
  now(): number;
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
