import { existsSync } from 'node:fs';

/**
 * Why a test that reads `path`, a file from outside this repository, cannot run here, or `undefined` when the
 * file is there. Like `serviceSkipReason`: the reason is printed so a skip is never silent, and under
 * PARLEY_REQUIRE_SERVICES=1 (as in CI) a missing file throws, so the run fails instead of skipping.
 */
export function outsideFileSkipReason(path: string, what: string): string | undefined {
  if (existsSync(path)) return undefined;
  if (process.env.PARLEY_REQUIRE_SERVICES === '1') {
    throw new Error(`${what} is required (PARLEY_REQUIRE_SERVICES=1) but ${path} is missing`);
  }
  const reason = `${what} tests skipped: ${path} is not there (it lives outside this repository); set PARLEY_REQUIRE_SERVICES=1 to fail instead`;
  console.warn(reason);
  return reason;
}
