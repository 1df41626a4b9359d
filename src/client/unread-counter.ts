import { isMessageType, receiptKind } from '../protocol/read-state.js';
import type { PushedEvent } from '../protocol/realtime.js';

/** The server's read state at one event id (a listing or `conversation:get`). */
export interface ReadStateSnapshot {
  unread: number;
  lastSeen: number;
  /** The conversation's newest event id when the state was read. */
  at: number;
}

/**
 * @internal Your unread count in one conversation: the server's count at a snapshot, plus the messages from
 * others seen since, less what your own seen receipts (from any of your sessions) pass. A receipt that
 * reaches back before the snapshot cannot be counted here, so it asks for a fresh snapshot (`refresh`).
 */
export class UnreadCounter {
  private base = 0;
  private at = 0;
  private seen = 0;
  /** Messages from others after the snapshot and after the last seen one, not deleted. */
  private readonly unseen = new Set<number>();
  private last = 0;

  constructor(
    private readonly changed: (count: number) => void,
    private readonly refresh: () => void,
  ) {}

  get count(): number {
    return this.base + this.unseen.size;
  }

  get lastSeenEventId(): number {
    return this.seen;
  }

  /** Takes a server snapshot; what this session has already seen after it stays counted. */
  reset(snapshot: ReadStateSnapshot): void {
    this.seen = Math.max(this.seen, snapshot.lastSeen);
    this.base = this.seen > snapshot.at ? 0 : snapshot.unread;
    this.at = snapshot.at;
    for (const id of this.unseen) if (id <= Math.max(this.at, this.seen)) this.unseen.delete(id);
    this.notify();
  }

  /** An event applied to the conversation, in id order; `me` is your member id, `joined` whether it is JOINED. */
  observe(event: PushedEvent, me: string | undefined, joined: boolean): void {
    const id = event.id;
    if (id === undefined || id <= this.at) {
      if (id !== undefined && event.type === 'event:delete') this.deleted(event);
      return;
    }
    if (isMessageType(event.type)) {
      if (joined && event.from !== me && id > this.seen) this.unseen.add(id);
    } else if (event.type === 'event:delete') {
      this.deleted(event);
    } else if (event.from === me && me !== undefined) {
      if (event.type === 'member:joined' || event.type === 'member:left') {
        // The server starts counting afresh at a join, and a member who left has nothing unread.
        this.base = 0;
        this.unseen.clear();
        this.at = id;
      } else if (receiptKind(event.type) === 'seen') {
        this.seenUpTo(Math.min(Number(event.body.event_id), id));
      }
    }
    this.notify();
  }

  private seenUpTo(upTo: number): void {
    if (!Number.isSafeInteger(upTo) || upTo <= this.seen) return;
    this.seen = upTo;
    for (const id of this.unseen) if (id <= upTo) this.unseen.delete(id);
    if (upTo >= this.at) this.base = 0;
    else this.refresh();
  }

  private deleted(event: PushedEvent): void {
    const target = Number(event.body.event_id);
    if (this.unseen.delete(target)) return this.notify();
    // Perhaps a message the snapshot counted: only the server knows, so ask again.
    if (target <= this.at && target > this.seen && this.base > 0) this.refresh();
  }

  private notify(): void {
    const count = this.count;
    if (count === this.last) return;
    this.last = count;
    this.changed(count);
  }
}
