/**
 * The one way tests wait: for a condition to hold, never for time to pass. `check` is polled until it returns
 * something other than `undefined`, `null` or `false`, which is then returned; past `timeoutMs` the wait
 * fails, naming what it waited for. (It polls on real timers: a test on fake timers advances them instead.)
 */
export async function waitFor<T>(
  check: () => T | undefined | null | false,
  timeoutMs = 3000,
  what = 'the condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
