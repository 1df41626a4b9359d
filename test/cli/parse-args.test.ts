import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { parseKeyValues, splitKeyValue, type KeyValueSpec } from '../../src/cli/parse-args.js';

const memberAdd: KeyValueSpec<'action' | 'channel' | 'user_id'> = {
  verb: 'member:add',
  keys: ['action', 'channel', 'user_id'],
  json: ['channel'],
  required: ['user_id'],
};

const failure = (fn: () => unknown): UsageError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error('expected a UsageError');
};

describe('key=value arguments', () => {
  it('parses the tutorial member:add arguments, JSON only for channel', () => {
    const values = parseKeyValues(
      ['action=join', 'channel={"type":"app"}', 'user_id=USR-be623fbb-8baf-41d0-bb78-c804a847a00f'],
      memberAdd,
    );
    expect(values).toEqual({
      action: 'join',
      channel: { type: 'app' },
      user_id: 'USR-be623fbb-8baf-41d0-bb78-c804a847a00f',
    });
  });

  it('keeps values that look like numbers or JSON as strings unless the key is a JSON key', () => {
    const values = parseKeyValues(['name=42', 'display_name={"a":1}'], {
      verb: 'x',
      keys: ['name', 'display_name'],
    });
    expect(values).toEqual({ name: '42', display_name: '{"a":1}' });
  });

  it('splits on the first = only, so values may contain =', () => {
    expect(splitKeyValue('sub=a=b==')).toEqual({ key: 'sub', value: 'a=b==' });
    expect(parseKeyValues(['name=x=y'], { verb: 'x', keys: ['name'] })).toEqual({ name: 'x=y' });
  });

  it('accepts an empty value and spaces inside a value', () => {
    expect(
      parseKeyValues(['display_name=Old School Chat', 'name='], {
        verb: 'x',
        keys: ['name', 'display_name'],
      }),
    ).toEqual({ display_name: 'Old School Chat', name: '' });
  });

  it('rejects an argument without a key', () => {
    expect(splitKeyValue('=value')).toBeUndefined();
    expect(splitKeyValue('novalue')).toBeUndefined();
    expect(failure(() => parseKeyValues(['CON-1'], memberAdd)).message).toBe(
      'member:add expects key=value arguments, got "CON-1"',
    );
  });

  it('rejects a key the verb does not know, naming the accepted ones', () => {
    expect(failure(() => parseKeyValues(['user=USR-1'], memberAdd)).message).toBe(
      'unknown key "user" for member:add (accepted: action, channel, user_id)',
    );
  });

  it('rejects a key given twice', () => {
    expect(failure(() => parseKeyValues(['user_id=a', 'user_id=b'], memberAdd)).message).toBe(
      'user_id is given more than once',
    );
  });

  it('rejects malformed JSON in a JSON key', () => {
    expect(failure(() => parseKeyValues(['user_id=a', "channel={'type':'app'}"], memberAdd)).message).toMatch(
      /^channel is not valid JSON: /,
    );
  });

  it('rejects a missing required key', () => {
    expect(failure(() => parseKeyValues(['action=join'], memberAdd)).message).toBe(
      'member:add needs user_id=…',
    );
  });

  it('never lets an object key such as __proto__ through', () => {
    expect(failure(() => parseKeyValues(['__proto__={"polluted":true}'], memberAdd)).message).toMatch(
      /unknown key/,
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
