import { join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { systemClock, type Clock } from '../core/clock.js';
import { ContentPolicy } from '../core/content-policy.js';
import { createDomain, type Domain } from '../core/domain.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { ServerConfig } from './config.js';
import { busSink } from './bus-sink.js';
import type { Bus, BusMessage } from '../bus/bus.js';
import { LocalBus } from '../bus/local-bus.js';
import { RedisBus } from '../bus/redis/redis-bus.js';
import { seedDemo, type DemoState } from './demo/demo-seed.js';
import { buildHttpApp } from './http/build-http-app.js';
import { Metrics } from './metrics.js';
import { OriginPolicy } from './origin-policy.js';
import { KeyedBuckets } from '../core/token-bucket.js';
import { DeadlineQueue, type Expiry } from './realtime/deadline-queue.js';
import { NativeTransport } from './realtime/native/native-transport.js';
import { RealtimeHub } from './realtime/realtime-hub.js';
import { StitchTransport } from './realtime/stitch/stitch-transport.js';
import { openMedia } from './media/open-media.js';
import { FileMediaStore } from '../store/media/file-media-store.js';
import { PostgresMediaStore } from '../store/media/postgres-media-store.js';
import type { MediaService } from '../core/media/media-service.js';
import { startWebhooks, type Webhooks, type WebhookSeams } from './webhooks/start-webhooks.js';
import { tapBus } from './webhooks/tap-bus.js';
import { deliveryId } from '../core/webhooks/delivery-id.js';
import { openWebhookOutbox } from '../store/webhooks/open-webhook-outbox.js';
import { webhookRoutes } from './webhooks/webhook-routes.js';
import { V2SessionDirectory } from './realtime/v2/v2-session-directory.js';
import { V2Transport } from './realtime/v2/v2-transport.js';

export interface ParleyServer {
  /** Base URL clients use, e.g. `http://localhost:3000`. */
  url: string;
  port: number;
  domain: Domain;
  hub: RealtimeHub;
  media: MediaService;
  logger: Logger;
  /** The tutorial's application and conversation, in demo mode. */
  demo?: DemoState;
  /** Set when the API secret was generated on this start: shown once, then only its hash is kept. */
  generatedSecret?: string;
  apiKey: string;
  /** Set when the webhook signature secret was generated on this start: shown once. */
  generatedSignatureSecret?: string;
  /** Stops accepting work, finishes in-flight requests, and closes the store. Safe to call twice. */
  close(): Promise<void>;
}

export function createLogger(level: ServerConfig['logLevel']): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.token', '*.apiSecret'],
      censor: '[redacted]',
    },
  });
}

export interface StartOptions {
  /** Time for token expiry, rate limits and realtime timers; tests pass one they can move on. */
  clock?: Clock;
  /** Deterministic jitter and time for webhook retries. */
  webhooks?: WebhookSeams;
}

/** The composition root: picks the store, wires the domain and the transports, and listens. */
export async function startParley(
  config: ServerConfig,
  logger = createLogger(config.logLevel),
  options: StartOptions = {},
): Promise<ParleyServer> {
  const clock = options.clock ?? systemClock;
  const store = config.databaseUrl
    ? await openPostgresStore({ url: config.databaseUrl })
    : await openSqliteStore({ file: join(resolve(config.dataDir), 'parley.db') });
  const metrics: Metrics = new Metrics({
    sessions: (): number => hub.sessionCount,
    connections: (transport): number =>
      transport === 'native'
        ? native.connectionCount
        : transport === 'stitch'
          ? stitch.connectionCount
          : v2.connectionCount,
  });
  // Each commit wakes this node's webhook dispatcher, once it exists; other nodes' are found by its scan.
  let toWebhooks = (_message: BusMessage): void => undefined;
  const bus: Bus = tapBus(
    config.redisUrl ? await RedisBus.connect(config.redisUrl, logger) : new LocalBus(),
    (message) => toWebhooks(message),
  );
  const domain = createDomain(store, busSink(bus, metrics), {
    content: new ContentPolicy(config.maxTextBytes),
    logger,
  });
  const hub = new RealtimeHub(
    {
      committed: (cid, startId, endId) => domain.events.committed(cid, startId, endId),
      joinedBy: (userId) => domain.members.joinedBy(userId),
    },
    logger,
    bus,
    clock,
    metrics,
  );
  const demo = config.demo ? await seedDemo(domain) : undefined;
  const { apiKey, generatedSecret } = await domain.credentials.provision({
    apiKey: config.apiKey,
    apiSecret: config.apiSecret,
  });
  let url = config.publicUrl ?? '';
  // Media beside the store: files under the data directory embedded, PostgreSQL when every node of a
  // cluster must reach every file.
  const blobs = config.databaseUrl
    ? await PostgresMediaStore.open(config.databaseUrl)
    : await FileMediaStore.open(join(resolve(config.dataDir), 'media'));
  const media = await openMedia(config, store, blobs, busSink(bus, metrics), () => url, logger);
  const webhooks: Webhooks = await startWebhooks({
    store,
    outbox: openWebhookOutbox(store, deliveryId),
    config,
    apiKey,
    registry: metrics.registry,
    logger,
    seams: options.webhooks,
  });
  toWebhooks = (message) => {
    if (message.kind === 'events') webhooks.dispatcher.wake(message.cid);
    else if (message.kind === 'ephemeral') webhooks.dispatcher.ephemeral(message.event);
  };
  const seconds = (): number => clock.now() / 1000;
  const userBuckets = new KeyedBuckets(config.userRateLimit, config.userRateLimit * 2, seconds);
  const appBuckets = new KeyedBuckets(config.appRateLimit, config.appRateLimit * 2, seconds);
  const origins = new OriginPolicy(config.allowedOrigins);
  const v2Sessions = new V2SessionDirectory();
  const app = buildHttpApp(domain, {
    logger,
    bodyLimit: config.bodyLimit,
    metrics,
    demo,
    userBuckets,
    appBuckets,
    origins,
    media: media.service,
    successor: {
      sessions: v2Sessions,
      relay: (event) => hub.broadcastEphemeral(event),
      maxTextBytes: config.maxTextBytes,
      media: media.service,
    },
    userSessions: {
      ofUser: (userId) =>
        [...hub.sessionsOf(userId)].flatMap((s) =>
          s.id === undefined
            ? []
            : [{ id: s.id, ttl: Math.max(0, Math.round((s.principal?.expiresAt ?? 0) - seconds())) }],
        ),
    },
  });
  const limits = {
    rateLimit: config.rateLimit,
    maxSessions: config.maxSessions,
    maxBufferBytes: config.maxBufferBytes,
  };
  // Every session's token expiry, on one timer of this server's clock.
  const expiries = new DeadlineQueue<Expiry>((expiry) => expiry.expire(), clock);
  const realtime = { domain, hub, logger, limits, userBuckets, expiries, clock, media: media.service };
  const native = new NativeTransport(realtime, {
    maxFrameBytes: config.maxFrameBytes,
    heartbeatMs: 30_000,
    origins,
  });
  const admin = webhooks.admin;
  void app.register((scope, _opts, done) => {
    webhookRoutes(scope, domain.credentials, admin);
    done();
  });
  native.attach(app.server);
  const stitch = new StitchTransport(realtime, app.server, { maxFrameBytes: config.maxFrameBytes, origins });
  const v2 = new V2Transport(realtime, app.server, {
    maxFrameBytes: config.maxFrameBytes,
    origins,
    apiKey,
    sessions: v2Sessions,
  });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    await media.close();
    await webhooks.close();
    await store.close();
    throw e;
  }
  webhooks.dispatcher.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const listening = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  url = config.publicUrl ?? listening;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await Promise.all([native.close(), stitch.close(), v2.close()]);
      hub.close();
      await app.close();
      await webhooks.close();
      await bus.close();
      await media.close();
      await store.close();
    })());
  const server: ParleyServer = {
    url: listening,
    port,
    domain,
    hub,
    media: media.service,
    logger,
    apiKey,
    close,
  };
  if (demo) server.demo = demo;
  if (generatedSecret !== undefined) server.generatedSecret = generatedSecret;
  if (webhooks.generatedSecret !== undefined) server.generatedSignatureSecret = webhooks.generatedSecret;
  return server;
}
