import type { Bus } from '../bus/bus.js';
import type { EventSink } from '../core/event-sink.js';
import type { EventRecord } from '../store/records.js';
import type { Metrics } from './metrics.js';

/**
 * The domain's committed changes, published on the bus. Commits are counted here, once each on the node that
 * made them, however many nodes then deliver them.
 */
export function busSink(bus: Bus, metrics?: Pick<Metrics, 'eventsCommitted'>): EventSink {
  return {
    publish: (cid: string, events: readonly EventRecord[]) => {
      metrics?.eventsCommitted.inc(events.length);
      bus.publish({ kind: 'events', cid, events: [...events] });
    },
    membershipChanged: (change) => bus.publish({ kind: 'membership', change }),
    conversationDeleted: (cid: string) => bus.publish({ kind: 'deleted', cid }),
  };
}
