import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The first versions carrying the fixes for the realtime stack's known advisories. */
const FIXED_IN: Record<string, { version: string; advisory: string }> = {
  ws: { version: '8.17.1', advisory: 'CVE-2024-37890: DoS with many HTTP headers' },
  'engine.io': { version: '6.4.2', advisory: 'CVE-2023-31125: uncaught exception on malformed upgrade' },
  'socket.io-parser': {
    version: '4.2.3',
    advisory: 'CVE-2023-32695: uncaught exception on malformed packet',
  },
  'socket.io': { version: '4.6.2', advisory: 'CVE-2024-38355: uncaught exception on unhandled error event' },
};

const atLeast = (version: string, minimum: string) => {
  const [a, b] = [version, minimum].map((v) => v.split('-')[0]!.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (a![i] !== b![i]) return a![i]! > b![i]!;
  return true;
};

interface Tree {
  version?: string;
  dependencies?: Record<string, Tree>;
}

/** Every version of each package in the production dependency tree (what `npm ci --omit=dev` installs). */
function productionVersions(): Map<string, Set<string>> {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--json'], {
    cwd: join(import.meta.dirname, '..', '..'),
    encoding: 'utf8',
  });
  const found = new Map<string, Set<string>>();
  const walk = (deps: Record<string, Tree> | undefined) => {
    for (const [name, node] of Object.entries(deps ?? {})) {
      if (node.version) found.set(name, (found.get(name) ?? new Set()).add(node.version));
      walk(node.dependencies);
    }
  };
  walk((JSON.parse(out) as Tree).dependencies);
  return found;
}

describe('production dependencies', () => {
  const versions = productionVersions();
  it.each(Object.entries(FIXED_IN))('%s carries the fix for its known advisory', (name, fixed) => {
    const installed = [...(versions.get(name) ?? [])];
    expect(installed.length).toBeGreaterThan(0);
    for (const v of installed)
      expect(atLeast(v, fixed.version), `${name}@${v} predates ${fixed.advisory}`).toBe(true);
  });
});
