import type { MembershipChange } from '../../core/event-sink.js';

const NONE: readonly MembershipChange[] = [];

/**
 * Membership changes waiting for their announcing event's turn in the conversation's order: a join takes
 * effect just before its `member:joined` goes out, so the joiner gets it, and a leave just after its
 * `member:left`, so the leaver gets that too.
 */
export class MembershipTurns {
  /** Conversation id → event id → the changes that event announced. */
  private readonly waiting = new Map<string, Map<number, MembershipChange[]>>();

  hold(change: MembershipChange): void {
    let byEvent = this.waiting.get(change.cid);
    if (!byEvent) this.waiting.set(change.cid, (byEvent = new Map<number, MembershipChange[]>()));
    byEvent.set(change.event.id, [...(byEvent.get(change.event.id) ?? []), change]);
  }

  /** Removes and returns the changes announced by event `eventId` of `cid`. */
  take(cid: string, eventId: number): readonly MembershipChange[] {
    const byEvent = this.waiting.get(cid);
    const changes = byEvent?.get(eventId);
    if (!byEvent || !changes) return NONE;
    byEvent.delete(eventId);
    if (byEvent.size === 0) this.waiting.delete(cid);
    return changes;
  }

  waitsIn(cid: string): boolean {
    return this.waiting.has(cid);
  }

  forget(cid: string): void {
    this.waiting.delete(cid);
  }

  clear(): void {
    this.waiting.clear();
  }
}
