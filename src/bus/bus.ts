import type { MembershipChange } from '../core/event-sink.js';
import type { PushedEvent } from '../protocol/realtime.js';
import type { EventRecord } from '../store/records.js';

/**
 * What travels between nodes. Events and membership changes are already committed: the bus only says "look,
 * something changed". Ephemeral events (typing, presence) exist only here.
 */
export type BusMessage =
  | { kind: 'events'; cid: string; events: EventRecord[] }
  | { kind: 'membership'; change: MembershipChange }
  | { kind: 'ephemeral'; event: PushedEvent }
  | { kind: 'deleted'; cid: string };

export interface BusHandlers {
  message(message: BusMessage): void;
  /** Messages may have been lost (a reconnect): re-read from the store what matters. */
  resync(): void;
}

/**
 * Delivery between the nodes of a cluster. A message published on a node is handed to that node's own
 * handler at once and to every other node's as soon as the transport allows, in publish order; it is a hint,
 * never the record.
 */
export interface Bus {
  publish(message: BusMessage): void;
  subscribe(handlers: BusHandlers): void;
  close(): Promise<void>;
}
