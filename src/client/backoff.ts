export interface ReconnectOptions {
  minDelayMs: number;
  maxDelayMs: number;
}

/**
 * Full-jitter exponential backoff (as centrifuge-js): a random delay between `minDelayMs` and
 * `min(maxDelayMs, minDelayMs + minDelayMs·2^attempt)`, so clients dropped together do not return together.
 */
export function backoff(
  attempt: number,
  { minDelayMs, maxDelayMs }: ReconnectOptions,
  random = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(attempt, 31));
  return Math.min(maxDelayMs, minDelayMs + Math.floor(random() * ceiling));
}
