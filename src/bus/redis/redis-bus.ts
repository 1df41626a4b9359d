import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Bus, BusHandlers, BusMessage } from '../bus.js';

/** The one channel a cluster shares; tests pass their own so they cannot hear a running cluster. */
const DEFAULT_CHANNEL = 'parley:bus';

interface Envelope {
  node: string;
  message: BusMessage;
}

/**
 * Redis pub/sub between nodes. Own messages are delivered locally at once and skipped when they come back.
 * Pub/sub drops what is sent while a subscriber is disconnected, so every (re)subscription asks the hub to
 * resync from the store; gaps in event ids are also noticed and filled by the hub itself.
 */
export class RedisBus implements Bus {
  private readonly node = randomUUID();
  private readonly pub: Redis;
  private readonly sub: Redis;
  private handlers: BusHandlers | undefined;
  private subscribedOnce = false;

  private constructor(
    url: string,
    private readonly logger: Logger,
    private readonly channel: string,
  ) {
    const options = { maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: true } as const;
    this.pub = new Redis(url, options);
    this.sub = new Redis(url, options);
    for (const [name, client] of [
      ['publisher', this.pub],
      ['subscriber', this.sub],
    ] as const) {
      client.on('error', (err: Error) => this.logger.warn({ err: err.message }, `redis ${name} error`));
    }
    this.sub.on('message', (_channel: string, raw: string) => this.receive(raw));
    // ioredis resubscribes by itself after a reconnect; each time, what was sent meanwhile is lost.
    this.sub.on('ready', () => {
      if (this.subscribedOnce) {
        this.logger.warn('redis bus reconnected: resyncing from the store');
        this.handlers?.resync();
      }
      this.subscribedOnce = true;
    });
  }

  static async connect(url: string, logger: Logger, channel = DEFAULT_CHANNEL): Promise<RedisBus> {
    const bus = new RedisBus(url, logger, channel);
    await Promise.all([bus.pub.connect(), bus.sub.connect()]);
    await bus.sub.subscribe(channel);
    return bus;
  }

  publish(message: BusMessage): void {
    this.handlers?.message(message);
    const envelope: Envelope = { node: this.node, message };
    this.pub.publish(this.channel, JSON.stringify(envelope)).catch((err: unknown) => {
      this.logger.warn({ err }, 'redis publish failed; other nodes will catch up from the store');
    });
  }

  subscribe(handlers: BusHandlers): void {
    this.handlers = handlers;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
  }

  private receive(raw: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch {
      this.logger.warn('ignoring a malformed bus message');
      return;
    }
    if (envelope.node !== this.node) this.handlers?.message(envelope.message);
  }
}
