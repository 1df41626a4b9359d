import type { EventSink } from '../core/event-sink.js';
import type { EventRecord } from '../store/records.js';
import type { Bus } from './bus.js';

/** The domain's committed changes, published on the bus. */
export function busSink(bus: Bus): EventSink {
  return {
    publish: (cid: string, events: readonly EventRecord[]) =>
      bus.publish({ kind: 'events', cid, events: [...events] }),
    conversationDeleted: (cid: string) => bus.publish({ kind: 'deleted', cid }),
  };
}
