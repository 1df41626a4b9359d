import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, BusMessage } from '../../src/bus/bus.js';
import type { EventRecord } from '../../src/store/records.js';

/** One bus implementation, as the contract drives it. */
export interface BusFixture {
  /** A bus for a new node of the same cluster. */
  open(): Promise<Bus>;
  /** Whether buses from `open` are separate nodes that hear each other (a local bus is a node of its own). */
  clustered: boolean;
  /** Drops the bus's connection so that it reconnects; absent where there is no connection to lose. */
  reconnect?(bus: Bus): void;
}

/** What one node's handler was given. */
interface Heard {
  messages: BusMessage[];
  resyncs: number;
  /** Resolves once a message matching `predicate` has arrived (or already had). */
  next(predicate: (m: BusMessage) => boolean): Promise<BusMessage>;
  nextResync(): Promise<void>;
}

function listen(bus: Bus): Heard {
  const watchers = new Set<{ predicate: (m: BusMessage) => boolean; resolve: (m: BusMessage) => void }>();
  const resyncWatchers = new Set<() => void>();
  const heard: Heard = {
    messages: [],
    resyncs: 0,
    next(predicate) {
      const already = heard.messages.find(predicate);
      if (already) return Promise.resolve(already);
      return new Promise((resolve) => watchers.add({ predicate, resolve }));
    },
    nextResync() {
      return new Promise((resolve) => resyncWatchers.add(resolve));
    },
  };
  bus.subscribe({
    message(message) {
      heard.messages.push(message);
      for (const w of watchers) {
        if (w.predicate(message)) {
          watchers.delete(w);
          w.resolve(message);
        }
      }
    },
    resync() {
      heard.resyncs++;
      for (const resolve of resyncWatchers) resolve();
      resyncWatchers.clear();
    },
  });
  return heard;
}

const event = (cid: string, id: number): EventRecord => ({
  conversationId: cid,
  id,
  type: 'text',
  from: 'MEM-1',
  body: { text: `m${id}` },
  clientRef: null,
  timestamp: '2024-01-01T00:00:00.000Z',
  deleted: null,
});

const events = (cid: string, id: number): BusMessage => ({ kind: 'events', cid, events: [event(cid, id)] });
const deleted = (cid: string): BusMessage => ({ kind: 'deleted', cid });
const isDeleted = (cid: string) => (m: BusMessage) => m.kind === 'deleted' && m.cid === cid;

/**
 * The Bus contract, run against every implementation as the Store contract is: what a node's own handler
 * hears, what other nodes hear and in which order, and that a lost connection asks for a resync.
 */
export function runBusContract(label: string, fixture: BusFixture): void {
  describe(`${label}: the Bus contract`, () => {
    const opened: Bus[] = [];
    const open = async () => {
      const bus = await fixture.open();
      opened.push(bus);
      return bus;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((bus) => bus.close()));
    });

    it("hands a message to its own node's handler before publish returns, exactly once", async () => {
      const bus = await open();
      const heard = listen(bus);
      bus.publish(events('CON-own', 1));
      expect(heard.messages).toEqual([events('CON-own', 1)]);
      // Whatever might still come back from the transport has come back once the barrier has.
      if (fixture.clustered) {
        const other = await open();
        const relay = listen(other);
        void relay.next(isDeleted('CON-barrier')).then(() => other.publish(deleted('CON-ack')));
        bus.publish(deleted('CON-barrier'));
        await heard.next(isDeleted('CON-ack'));
      }
      expect(heard.messages.filter((m) => m.kind === 'events')).toEqual([events('CON-own', 1)]);
    });

    it.skipIf(!fixture.clustered)('delivers to another node every message, in publish order', async () => {
      const [a, b] = [await open(), await open()];
      listen(a);
      const heard = listen(b);
      const sent: BusMessage[] = [
        events('CON-order', 1),
        {
          kind: 'ephemeral',
          event: { type: 'text:typing:on', cid: 'CON-order', from: 'MEM-1', timestamp: 't', body: {} },
        },
        events('CON-order', 2),
        deleted('CON-order'),
      ];
      for (const message of sent) a.publish(message);
      await heard.next(isDeleted('CON-order'));
      expect(heard.messages).toEqual(sent);
    });

    it.skipIf(!fixture.reconnect)(
      'asks its handler to resync after it reconnects, and delivers again',
      async () => {
        const bus = await open();
        const heard = listen(bus);
        const resynced = heard.nextResync();
        fixture.reconnect?.(bus);
        await resynced;
        expect(heard.resyncs).toBe(1);
        if (fixture.clustered) {
          const other = await open();
          other.publish(deleted('CON-after'));
          await heard.next(isDeleted('CON-after'));
        }
      },
    );
  });
}
