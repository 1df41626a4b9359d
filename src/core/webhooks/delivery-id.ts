import { createHash } from 'node:crypto';

/**
 * The delivery id of an event, the same on every attempt, every node and every restart (it is derived, not
 * stored first): receivers drop duplicates by it. Shaped as a UUID.
 */
export function deliveryId(conversationId: string, eventId: number): string {
  const hex = createHash('sha256').update(`${conversationId}/${eventId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
