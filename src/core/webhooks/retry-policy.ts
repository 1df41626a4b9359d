/** How long failed webhook deliveries are retried, and how far apart. */
export interface RetryPolicy {
  /** The first retry waits up to this long; each later one up to twice the previous bound. */
  baseMs: number;
  /** No retry waits longer than this. */
  capMs: number;
  /** A delivery still failing this long after its first attempt is given up and marked failed. */
  giveUpAfterMs: number;
}

/**
 * Exponential backoff with full jitter (a uniform wait between 0 and the bound), so receivers recovering
 * from an outage are not hit by every retry at once. `random` returns [0, 1).
 */
export function retryDelay(failures: number, policy: RetryPolicy, random: () => number): number {
  const bound = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(bound * random());
}
