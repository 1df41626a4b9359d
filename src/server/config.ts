import { z } from 'zod';

/** Everything `parley serve` can be told, by flag or `PARLEY_*` environment variable (flags win). */
export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  apiKey?: string | undefined;
  apiSecret?: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest REST request body, bytes. */
  bodyLimit: number;
  /** Largest realtime frame, bytes. */
  maxFrameBytes: number;
  /** Largest text message, bytes of UTF-8. */
  maxTextBytes: number;
  /** Realtime requests a second per connection (bursts of twice that). */
  rateLimit: number;
  /** Requests a second per user across all their connections and REST calls (bursts of twice that). */
  userRateLimit: number;
  /**
   * REST requests a second per application token (a server backend: no user), bursts of twice that. Apart from
   * users' and much higher, since one backend provisions for all its users.
   */
  appRateLimit: number;
  /** Live realtime sessions one user may hold. */
  maxSessions: number;
  /** Bytes a connection may have waiting to be sent before it is dropped as a slow consumer. */
  maxBufferBytes: number;
  /** Origins allowed to use the API from a browser; `*` allows any (no cookie authenticates anything). */
  allowedOrigins: '*' | string[];
  demo: boolean;
  /** PostgreSQL instead of the embedded SQLite, e.g. `postgres://user@host/db`. */
  databaseUrl?: string | undefined;
  /** Redis for delivery between nodes; without it the node delivers only to its own clients. */
  redisUrl?: string | undefined;
  /** Largest upload (an image or file), bytes. */
  maxUpload: number;
  /** Lifetime of a signed media URL, seconds. */
  mediaUrlTtl: number;
  /** Seconds after which an upload no event refers to is deleted. */
  mediaSweepAfter: number;
  /** The URL clients reach this server at, written into media URLs; the listening address when unset. */
  publicUrl?: string | undefined;
  /** Account-wide secret that signs webhooks (HS256); generated and stored on first start when not given. */
  signatureSecret?: string | undefined;
  /** A webhook attempt without response headers by then fails and is retried. */
  webhookTimeoutMs: number;
  /** Failed webhooks are retried for this long after their first attempt, then marked failed. */
  webhookRetryForMs: number;
  /** Upper bound of the first retry's wait; it doubles with each failure (full jitter below it). */
  webhookBackoffMs: number;
  /** No retry waits longer than this. */
  webhookBackoffMaxMs: number;
  /** How often each node scans for webhook work it was not told about (other nodes, restarts, retries). */
  webhookPollMs: number;
  /** How long a node's claim on a conversation's deliveries lasts unless renewed (dead nodes' expire). */
  webhookLeaseMs: number;
  /** Conversations a node delivers to at once. */
  webhookConcurrency: number;
  /** Refuse webhook targets in private and loopback ranges. */
  webhookDenyPrivate: boolean;
}

const flag = z
  .union([z.boolean(), z.enum(['1', 'true', '0', 'false', ''])])
  .transform((v) => v === true || v === '1' || v === 'true');

const millis = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const serverConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(3000),
  host: z.string().min(1).default('localhost'),
  dataDir: z.string().min(1).default('./data'),
  apiKey: z.string().min(1).optional(),
  apiSecret: z.string().min(8, 'PARLEY_API_SECRET must be at least 8 characters').optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  bodyLimit: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(64 * 1024),
  maxFrameBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(64 * 1024),
  maxTextBytes: z.coerce
    .number()
    .int()
    .min(1)
    .max(1024 * 1024)
    .default(8 * 1024),
  rateLimit: z.coerce.number().positive().max(1_000_000).default(50),
  userRateLimit: z.coerce.number().positive().max(1_000_000).default(100),
  appRateLimit: z.coerce.number().positive().max(1_000_000).default(1000),
  maxSessions: z.coerce.number().int().min(1).max(100_000).default(32),
  maxBufferBytes: z.coerce
    .number()
    .int()
    .min(16 * 1024)
    .max(1024 * 1024 * 1024)
    .default(1024 * 1024),
  allowedOrigins: z
    .string()
    .transform((v): '*' | string[] =>
      v.trim() === '*'
        ? '*'
        : v
            .split(',')
            .map((o) => o.trim())
            .filter((o) => o !== ''),
    )
    .default('*'),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  maxUpload: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  mediaUrlTtl: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .default(3600),
  mediaSweepAfter: z.coerce
    .number()
    .int()
    .min(60)
    .default(24 * 3600),
  publicUrl: z
    .string()
    .regex(/^https?:\/\/[^/?#]+$/, 'must be an http(s) origin with no path, e.g. https://chat.example.com')
    .optional(),
  demo: flag.default(false),
  signatureSecret: z.string().min(16, 'PARLEY_SIGNATURE_SECRET must be at least 16 characters').optional(),
  webhookTimeoutMs: millis(100, 60_000, 5_000),
  webhookRetryForMs: millis(0, 30 * 86_400_000, 86_400_000),
  webhookBackoffMs: millis(1, 3_600_000, 1_000),
  webhookBackoffMaxMs: millis(1, 86_400_000, 600_000),
  webhookPollMs: millis(10, 600_000, 2_000),
  webhookLeaseMs: millis(1_000, 3_600_000, 30_000),
  webhookConcurrency: z.coerce.number().int().min(1).max(1_000).default(16),
  webhookDenyPrivate: flag.default(false),
});

/** The environment variable behind each setting. */
export const ENV_NAMES: Record<keyof ServerConfig, string> = {
  port: 'PARLEY_PORT',
  host: 'PARLEY_HOST',
  dataDir: 'PARLEY_DATA',
  apiKey: 'PARLEY_API_KEY',
  apiSecret: 'PARLEY_API_SECRET',
  logLevel: 'PARLEY_LOG_LEVEL',
  bodyLimit: 'PARLEY_BODY_LIMIT',
  maxFrameBytes: 'PARLEY_MAX_FRAME',
  demo: 'PARLEY_DEMO',
  maxTextBytes: 'PARLEY_MAX_TEXT',
  rateLimit: 'PARLEY_RATE_LIMIT',
  userRateLimit: 'PARLEY_USER_RATE_LIMIT',
  appRateLimit: 'PARLEY_APP_RATE_LIMIT',
  maxSessions: 'PARLEY_MAX_SESSIONS',
  maxBufferBytes: 'PARLEY_MAX_BUFFER',
  allowedOrigins: 'PARLEY_ALLOWED_ORIGINS',
  databaseUrl: 'PARLEY_DATABASE_URL',
  redisUrl: 'PARLEY_REDIS_URL',
  maxUpload: 'PARLEY_MAX_UPLOAD',
  mediaUrlTtl: 'PARLEY_MEDIA_URL_TTL',
  mediaSweepAfter: 'PARLEY_MEDIA_SWEEP_AFTER',
  publicUrl: 'PARLEY_PUBLIC_URL',
  signatureSecret: 'PARLEY_SIGNATURE_SECRET',
  webhookTimeoutMs: 'PARLEY_WEBHOOK_TIMEOUT_MS',
  webhookRetryForMs: 'PARLEY_WEBHOOK_RETRY_FOR_MS',
  webhookBackoffMs: 'PARLEY_WEBHOOK_BACKOFF_MS',
  webhookBackoffMaxMs: 'PARLEY_WEBHOOK_BACKOFF_MAX_MS',
  webhookPollMs: 'PARLEY_WEBHOOK_POLL_MS',
  webhookLeaseMs: 'PARLEY_WEBHOOK_LEASE_MS',
  webhookConcurrency: 'PARLEY_WEBHOOK_CONCURRENCY',
  webhookDenyPrivate: 'PARLEY_WEBHOOK_DENY_PRIVATE',
};

/** Merges flags over environment variables; throws a one-line message naming the bad setting. */
export function resolveServerConfig(
  flags: Partial<Record<keyof ServerConfig, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
): ServerConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, envName] of Object.entries(ENV_NAMES)) {
    const value = flags[key as keyof ServerConfig] ?? env[envName];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = serverConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    const envName = ENV_NAMES[key as keyof ServerConfig] ?? key;
    throw new Error(`invalid setting ${key} (${envName}): ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
