import type { EventRecord } from '../store/records.js';

/** Receives events after they are committed, in id order per conversation; realtime delivery hangs off this. */
export interface EventSink {
  publish(conversationId: string, events: readonly EventRecord[]): void;
}

export const nullSink: EventSink = { publish: () => undefined };
