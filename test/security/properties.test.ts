import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aclAllows } from '../../src/core/auth/acl.js';
import { UsageError } from '../../src/cli/errors.js';
import { parseKeyValues } from '../../src/cli/parse-args.js';
import { ParleyError } from '../../src/protocol/errors.js';
import { decodeCursor, encodeCursor } from '../../src/store/cursor.js';

const segment = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,12}$/);
const path = fc.array(segment, { minLength: 0, maxLength: 6 }).map((s) => `/${s.join('/')}`);
const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE');

describe('the ACL matcher', () => {
  it('lets a `/**` rule through to everything, for every method', () => {
    fc.assert(fc.property(path, method, (p, m) => aclAllows({ paths: { '/**': {} } }, m, p)));
  });

  it('matches a path by its own glob, and `*` by exactly one segment', () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), method, (segs, m) => {
        const p = `/${segs.join('/')}`;
        const starred = `/${segs.map((s, i) => (i === segs.length - 1 ? '*' : s)).join('/')}`;
        expect(aclAllows({ paths: { [p]: {} } }, m, p)).toBe(true);
        expect(aclAllows({ paths: { [starred]: {} } }, m, p)).toBe(true);
        expect(aclAllows({ paths: { [starred]: {} } }, m, `${p}/extra`)).toBe(false);
        expect(aclAllows({ paths: { [`${p}/**`]: {} } }, m, `${p}/a/b`)).toBe(true);
      }),
    );
  });

  it('never lets a rule for one prefix reach a sibling prefix', () => {
    fc.assert(
      fc.property(segment, segment, path, method, (a, b, rest, m) => {
        fc.pre(a !== b);
        expect(aclAllows({ paths: { [`/${a}/**`]: {} } }, m, `/${b}${rest}`)).toBe(false);
      }),
    );
  });

  it('honours method lists and never throws on arbitrary globs and paths', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.record({ methods: fc.array(method) })),
        fc.string(),
        method,
        (paths, p, m) => {
          const allowed = aclAllows({ paths }, m, p);
          if (allowed) expect(Object.values(paths).some((r) => r.methods.includes(m))).toBe(true);
        },
      ),
    );
  });
});

describe("the CLI's key=value parser", () => {
  const spec = { verb: 'test', keys: ['name', 'channel', 'exp'] as const, json: ['channel', 'exp'] as const };

  it('keeps any string value verbatim, split at the first =', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(parseKeyValues([`name=${value}`], spec)).toEqual({ name: value });
      }),
    );
  });

  it('parses JSON keys as JSON, and anything else only ever fails with a UsageError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(parseKeyValues([`channel=${JSON.stringify(value)}`], spec).channel).toEqual(
          JSON.parse(JSON.stringify(value)),
        );
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 5 }), (args) => {
        try {
          parseKeyValues(args, spec);
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
        }
      }),
    );
  });
});

describe('pagination cursors', () => {
  const key = fc.array(fc.oneof(fc.string(), fc.integer({ min: -(2 ** 40), max: 2 ** 40 })), {
    minLength: 1,
    maxLength: 3,
  });

  it('decode what they encode', () => {
    fc.assert(
      fc.property(key, (k) => {
        expect(decodeCursor(encodeCursor(k), k.length)).toEqual(k);
      }),
    );
  });

  it('reject anything else with the validation error, never another exception', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.integer({ min: 1, max: 3 }), (text, arity) => {
        try {
          const decoded = decodeCursor(text, arity);
          expect(decoded).toHaveLength(arity);
        } catch (e) {
          expect(e).toBeInstanceOf(ParleyError);
          expect((e as ParleyError).code).toBe('http:error:validation-fail');
        }
      }),
    );
  });
});
