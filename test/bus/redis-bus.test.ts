import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { describe } from 'vitest';
import type { Bus } from '../../src/bus/bus.js';
import { RedisBus } from '../../src/bus/redis/redis-bus.js';
import { redisUrl, serviceSkipReason } from '../support/services.js';
import { runBusContract } from './bus-contract.js';

const skip = await serviceSkipReason('redis');

describe.skipIf(skip !== undefined)('RedisBus', () => {
  // A channel of this run's own, so a cluster running beside the tests hears nothing of them.
  const channel = `parley:test-bus:${randomUUID()}`;
  runBusContract('RedisBus', {
    open: () => RedisBus.connect(redisUrl(), pino({ level: 'silent' }), channel),
    clustered: true,
    reconnect(bus: Bus) {
      // As a network blip would: ioredis drops the subscriber connection and makes a new one.
      (bus as unknown as { sub: { disconnect(reconnect: boolean): void } }).sub.disconnect(true);
    },
  });
});
