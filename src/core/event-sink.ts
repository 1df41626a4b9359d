import type { EventRecord } from '../store/records.js';

/** Receives changes after they are committed, in id order per conversation; realtime delivery hangs off this. */
export interface EventSink {
  publish(conversationId: string, events: readonly EventRecord[]): void;
  /** The conversation and its history are gone. */
  conversationDeleted(conversationId: string): void;
}

export const nullSink: EventSink = { publish: () => undefined, conversationDeleted: () => undefined };
