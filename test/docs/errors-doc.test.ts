import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CLI_ERRORS } from '../../src/cli/errors.js';
import { ERRORS } from '../../src/protocol/errors.js';

const doc = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');

/** The documented rows: `| \`code\` | status or exit | …`, by code. */
const rows = new Map(
  [...doc.matchAll(/^\| `([a-z-]+:error:[a-z-]+)` +\| +(\d+) +\|(?: +(yes|no) +\|)?/gm)].map((m) => [
    m[1]!,
    { number: Number(m[2]), retryable: m[3] },
  ]),
);

describe('docs/errors.md', () => {
  it.each(Object.entries(ERRORS))('documents %s with its status and retryability', (code, spec) => {
    expect(rows.get(code), `${code} is missing from docs/errors.md`).toEqual({
      number: spec.status,
      retryable: spec.retryable ? 'yes' : 'no',
    });
  });

  it.each(Object.entries(CLI_ERRORS))('documents the CLI code %s with its exit status', (code, spec) => {
    expect(rows.get(code), `${code} is missing from docs/errors.md`).toEqual({
      number: spec.exitCode,
      retryable: undefined,
    });
  });

  it('documents no code that no longer exists', () => {
    const known = new Set<string>([...Object.keys(ERRORS), ...Object.keys(CLI_ERRORS)]);
    expect([...rows.keys()].filter((code) => !known.has(code))).toEqual([]);
  });
});
