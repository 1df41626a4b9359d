import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { nowIso } from '../../core/clock.js';
import { provisionSignatureSecret } from '../../core/webhooks/signature-secret.js';
import { WebhookSigner } from '../../core/webhooks/webhook-signer.js';
import { WebhooksAdmin } from '../../core/webhooks/webhooks-admin.js';
import type { Store } from '../../store/store.js';
import type { WebhookOutbox } from '../../store/webhook-outbox.js';
import type { ServerConfig } from '../config.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookMetrics } from './webhook-metrics.js';
import { WebhookSender } from './webhook-sender.js';

/** Test seams: deterministic jitter and time. */
export interface WebhookSeams {
  random?: () => number;
  now?: () => number;
}

export interface Webhooks {
  dispatcher: WebhookDispatcher;
  admin: WebhooksAdmin;
  /** Set when the signature secret was generated on this start: shown once. */
  generatedSecret?: string;
  close(): Promise<void>;
}

const RETENTION_MS = 7 * 86_400_000;

/** Provisions the signature secret and builds the dispatcher (not yet started) and the admin service. */
export async function startWebhooks(opts: {
  store: Store;
  /** The outbox over the same connection as `store` (see `openWebhookOutbox`). */
  outbox: WebhookOutbox;
  config: ServerConfig;
  apiKey: string;
  registry: Registry;
  logger: Logger;
  seams?: WebhookSeams;
}): Promise<Webhooks> {
  const { store, outbox, config, logger } = opts;
  const { secret, generated } = await provisionSignatureSecret(store, config.signatureSecret);
  // SQLite has one node, so leases left behind are a dead predecessor's: take them back at once.
  if (config.databaseUrl === undefined) await outbox.releaseAll();
  const sender = new WebhookSender({
    timeoutMs: config.webhookTimeoutMs,
    denyPrivate: config.webhookDenyPrivate,
  });
  const dispatcher = new WebhookDispatcher(
    outbox,
    store,
    new WebhookSigner(secret, opts.apiKey),
    sender,
    new WebhookMetrics(opts.registry, () => outbox.backlog()),
    logger.child({ component: 'webhooks' }),
    {
      owner: `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
      policy: {
        baseMs: config.webhookBackoffMs,
        capMs: config.webhookBackoffMaxMs,
        giveUpAfterMs: config.webhookRetryForMs,
      },
      leaseMs: config.webhookLeaseMs,
      pollMs: config.webhookPollMs,
      concurrency: config.webhookConcurrency,
      retentionMs: RETENTION_MS,
      ...opts.seams,
    },
  );
  const webhooks: Webhooks = {
    dispatcher,
    admin: new WebhooksAdmin(store, outbox, nowIso),
    close: async () => {
      await dispatcher.close();
      sender.close();
    },
  };
  if (generated) webhooks.generatedSecret = secret;
  return webhooks;
}
