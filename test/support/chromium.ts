import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const required = process.env.PARLEY_REQUIRE_SERVICES === '1';

/**
 * Why browser tests cannot run on this machine, or `undefined` when they can. Prints the reason once so a
 * skipped suite is never silent. With PARLEY_REQUIRE_SERVICES=1 nothing is skipped: `launchChromium` fails.
 */
export function chromiumSkipReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH) || required) return undefined;
  const reason = `browser tests skipped: ${CHROMIUM_PATH} is not installed (set PARLEY_REQUIRE_SERVICES=1 to fail instead)`;
  console.warn(reason);
  return reason;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is required (PARLEY_REQUIRE_SERVICES=1) but ${CHROMIUM_PATH} is missing`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
