import type { JsonOption } from './command-options.js';
import type { CliContext } from './context.js';

export const printJson = (ctx: CliContext, value: unknown): void => {
  for (const line of JSON.stringify(value, null, 2).split('\n')) ctx.out(line);
};

/** Prints `value` as JSON with `--json`, else the one human line. */
export const printResult = (ctx: CliContext, options: JsonOption, value: unknown, line: string): void => {
  if (options.json) printJson(ctx, value);
  else ctx.out(line);
};

/** `key: value` lines for `*:show`; nested values as compact JSON, links left out. */
export const printFields = (ctx: CliContext, options: JsonOption, record: Record<string, unknown>): void => {
  if (options.json) return printJson(ctx, record);
  for (const [key, value] of Object.entries(record)) {
    if (key === '_links' || value === undefined) continue;
    ctx.out(`${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
};

/** One line per item for `*:list`: its columns joined by ` | `, blanks for missing ones. */
export const printRows = <T>(
  ctx: CliContext,
  options: JsonOption,
  items: readonly T[],
  columns: (item: T) => readonly (string | null | undefined)[],
): void => {
  if (options.json) return printJson(ctx, items);
  for (const item of items)
    ctx.out(
      columns(item)
        .map((c) => c ?? '')
        .join(' | '),
    );
};
