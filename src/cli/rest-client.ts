import type { z } from 'zod';
import type { ErrorCode } from '../protocol/errors.js';
import { CliError } from './errors.js';

export const REQUEST_TIMEOUT_MS = 30_000;

/** The server answered with a non-2xx status: carries its status and catalogue code. */
export class ServerRefusedError extends CliError {
  constructor(
    readonly status: number,
    /** The server's catalogue code; a proxy or an older server may send none, or one not in our catalogue. */
    readonly serverCode: ErrorCode | (string & {}) | undefined,
    readonly detail: string,
  ) {
    super('cli:error:server-refused', detail);
    this.name = 'ServerRefusedError';
  }

  override get shownCode(): string {
    return this.serverCode ?? this.code;
  }
}

/** The server answered 2xx with something that is not what the CLI expects. */
export class UnexpectedReplyError extends CliError {
  constructor(message: string) {
    super('cli:error:unexpected-reply', message);
    this.name = 'UnexpectedReplyError';
  }
}

/** The server never answered: refused, unresolvable, reset or timed out. */
export class ServerUnreachableError extends CliError {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super('cli:error:unreachable', `cannot reach Parley at ${url}: ${reason}`);
    this.name = 'ServerUnreachableError';
  }
}

/** Produces the `Authorization` header value for one request. */
export type Authorize = () => Promise<string>;

export const basicAuth =
  (key: string, secret: string): Authorize =>
  () =>
    Promise.resolve(`Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`);

interface ErrorBodyLike {
  code?: unknown;
  title?: unknown;
  detail?: unknown;
  invalid_parameters?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const describeInvalid = (params: unknown): string => {
  if (!Array.isArray(params)) return '';
  const parts = params
    .filter(isRecord)
    .map((p) => [p['name'], p['reason']].filter((s) => typeof s === 'string').join(' '))
    .filter((s) => s.length > 0);
  return parts.length > 0 ? `: ${parts.join('; ')}` : '';
};

/** Digs the system error code (`ECONNREFUSED`, `ENOTFOUND`…) out of a failed fetch. */
const unreachableReason = (e: unknown, timeoutMs: number): string => {
  if (e instanceof Error && e.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000}s`;
  const cause = e instanceof Error ? e.cause : undefined;
  const candidates = [cause, ...(cause instanceof AggregateError ? (cause.errors as unknown[]) : [])];
  for (const c of candidates) {
    if (isRecord(c) && typeof c['code'] === 'string') return c['code'];
  }
  if (cause instanceof Error) return cause.message;
  return e instanceof Error ? e.message : String(e);
};

/** One small fetch client for the admin (`/v2`, Basic) and application (`/v1`, Bearer) routes. */
export class RestClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly authorize: Authorize,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  get<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
    return this.send('GET', path, undefined, schema);
  }

  post<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.infer<S>> {
    return this.send('POST', path, body, schema);
  }

  patch<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.infer<S>> {
    return this.send('PATCH', path, body, schema);
  }

  put<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.infer<S>> {
    return this.send('PUT', path, body, schema);
  }

  async delete(path: string): Promise<void> {
    await this.exchange('DELETE', path, undefined);
  }

  /**
   * Turns a `_links` href (absolute or relative) into a path on the configured server: bearer tokens
   * never leave for another origin, even if the server reports its own public address.
   */
  resolveHref(href: string): string {
    const base = new URL(this.baseUrl);
    const prefix = base.pathname.replace(/\/+$/, '');
    const url = new URL(href, `${base.origin}${prefix}/`);
    const path = url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : url.pathname;
    return `${path}${url.search}`;
  }

  private async send<S extends z.ZodType>(
    method: string,
    path: string,
    body: unknown,
    schema: S,
  ): Promise<z.infer<S>> {
    const { status, text, route } = await this.exchange(method, path, body);
    const data = parseJson(text);
    if (data === undefined) {
      throw new UnexpectedReplyError(`${route} answered ${status} without a JSON body`);
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      throw new UnexpectedReplyError(
        `${route} answered an unexpected body (${where}${issue?.message ?? 'invalid'})`,
      );
    }
    return parsed.data;
  }

  /** Sends one request; returns a 2xx reply's text, throws for anything else. */
  private async exchange(
    method: string,
    path: string,
    body: unknown,
  ): Promise<{ status: number; text: string; route: string }> {
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: await this.authorize(),
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let status: number;
    let statusText: string;
    let text: string;
    try {
      const response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      statusText = response.statusText;
      text = await response.text();
    } catch (e) {
      throw new ServerUnreachableError(this.baseUrl, unreachableReason(e, this.timeoutMs));
    }
    const route = `${method} ${path.split('?')[0] ?? path}`;
    if (status >= 200 && status <= 299) return { status, text, route };
    const data = parseJson(text);
    const err: ErrorBodyLike = isRecord(data) ? data : {};
    const code = typeof err.code === 'string' ? err.code : undefined;
    const detail =
      typeof err.detail === 'string'
        ? err.detail
        : typeof err.title === 'string'
          ? err.title
          : `${route} answered ${status} ${statusText}`.trim();
    throw new ServerRefusedError(status, code, `${detail}${describeInvalid(err.invalid_parameters)}`);
  }
}
