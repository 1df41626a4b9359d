import { UsageError } from './errors.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What a verb accepts as `key=value` arguments. */
export interface KeyValueSpec<K extends string> {
  /** The command, for error messages. */
  readonly verb: string;
  readonly keys: readonly K[];
  /** Keys whose value is JSON, as nexmo-cli did for `channel`, `acl` and `exp`; all others stay strings. */
  readonly json?: readonly K[];
  readonly required?: readonly K[];
}

/** Splits `key=value` at the first `=`, so values may contain `=`; undefined when there is no key. */
export const splitKeyValue = (arg: string): { key: string; value: string } | undefined => {
  const at = arg.indexOf('=');
  if (at <= 0) return undefined;
  return { key: arg.slice(0, at), value: arg.slice(at + 1) };
};

const parseJson = (key: string, text: string): JsonValue => {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new UsageError('cli:error:invalid-argument', `${key} is not valid JSON: ${reason}`);
  }
};

/**
 * Parses a verb's `key=value` arguments. Pure: throws only `UsageError`, for a malformed argument,
 * an unknown or repeated key, invalid JSON in a JSON key, or a missing required key.
 */
export const parseKeyValues = <K extends string>(
  args: readonly string[],
  spec: KeyValueSpec<K>,
): Partial<Record<K, JsonValue>> => {
  const known = new Set<string>(spec.keys);
  const json = new Set<string>(spec.json ?? []);
  const entries: [K, JsonValue][] = [];
  const seen = new Set<string>();
  for (const arg of args) {
    const pair = splitKeyValue(arg);
    if (!pair)
      throw new UsageError(
        'cli:error:invalid-argument',
        `${spec.verb} expects key=value arguments, got "${arg}"`,
      );
    const { key, value } = pair;
    if (!known.has(key)) {
      const accepted = spec.keys.length > 0 ? spec.keys.join(', ') : 'none';
      throw new UsageError(
        'cli:error:invalid-argument',
        `unknown key "${key}" for ${spec.verb} (accepted: ${accepted})`,
      );
    }
    if (seen.has(key)) throw new UsageError('cli:error:invalid-argument', `${key} is given more than once`);
    seen.add(key);
    entries.push([key as K, json.has(key) ? parseJson(key, value) : value]);
  }
  for (const key of spec.required ?? []) {
    if (!seen.has(key)) throw new UsageError('cli:error:invalid-argument', `${spec.verb} needs ${key}=…`);
  }
  return Object.fromEntries(entries) as Partial<Record<K, JsonValue>>;
};
