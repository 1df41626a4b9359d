import { CompiledQuery, type Compilable } from 'kysely';

const SENTINEL = '\u0000parley-param:';

/** A stand-in value for parameter `name` while a query is built once; `PreparedQuery` later fills it in. */
export const param = <T>(name: string): T => `${SENTINEL}${name}` as T;

/**
 * A query built and compiled once, run many times with new values. Building and compiling through Kysely
 * costs more than running these small indexed statements, so the append path binds values into a query
 * compiled up front. Parameters are matched by the `param()` sentinels, whatever order the dialect emits them.
 */
export class PreparedQuery<Name extends string, Row> {
  private readonly sql: string;
  private readonly slots: readonly (Name | { value: unknown })[];

  constructor(query: Compilable<Row>) {
    const compiled = query.compile();
    this.sql = compiled.sql;
    this.slots = compiled.parameters.map((value) =>
      typeof value === 'string' && value.startsWith(SENTINEL)
        ? (value.slice(SENTINEL.length) as Name)
        : { value },
    );
  }

  bind(values: Record<Name, unknown>): CompiledQuery<Row> {
    return CompiledQuery.raw(
      this.sql,
      this.slots.map((slot) => (typeof slot === 'object' ? slot.value : values[slot])),
    );
  }
}
