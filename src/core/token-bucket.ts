/** The default clock, shared rather than a closure per bucket. */
const monotonicSeconds = (): number => performance.now() / 1000;

/**
 * A token bucket: `rate` tokens a second up to `burst`. `take()` spends one and returns 0, or returns how many
 * seconds until one is available without spending anything; `wait()` only tells.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = monotonicSeconds,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Seconds since the bucket was last used. */
  idleFor(): number {
    return this.now() - this.last;
  }

  wait(): number {
    const t = this.now();
    // A clock that steps back (wall time) must not take tokens away.
    this.tokens = Math.min(this.burst, this.tokens + Math.max(0, t - this.last) * this.rate);
    this.last = t;
    return this.tokens >= 1 ? 0 : (1 - this.tokens) / this.rate;
  }

  take(): number {
    const wait = this.wait();
    if (wait === 0) this.tokens -= 1;
    return wait;
  }
}

/** Buckets by key (a user, an application), forgotten once full again so idle keys cost nothing. */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();
  private sweeps = 0;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = monotonicSeconds,
  ) {}

  /** Seconds to wait before `key` may act again, or 0; nothing is counted. */
  wait(key: string): number {
    return this.buckets.get(key)?.wait() ?? 0;
  }

  /** Seconds to wait before `key` may act again, or 0 (and the action is counted). */
  take(key: string): number {
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new TokenBucket(this.rate, this.burst, this.now)));
    if (++this.sweeps >= 10_000) this.sweep();
    return bucket.take();
  }

  private sweep(): void {
    this.sweeps = 0;
    // A bucket idle long enough to be full again is the same as a new one.
    const idle = this.burst / this.rate;
    for (const [key, bucket] of this.buckets) if (bucket.idleFor() >= idle) this.buckets.delete(key);
  }
}
