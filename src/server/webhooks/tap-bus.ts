import type { Bus, BusMessage } from '../../bus/bus.js';

/**
 * The bus, with every message published on this node also shown to `tap`. Each commit is published once, on
 * the node that made it, so the tap sees each commit exactly once in the cluster.
 */
export function tapBus(bus: Bus, tap: (message: BusMessage) => void): Bus {
  return {
    publish(message) {
      bus.publish(message);
      tap(message);
    },
    subscribe: (handlers) => bus.subscribe(handlers),
    close: () => bus.close(),
  };
}
