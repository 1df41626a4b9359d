import type { PushedEvent } from '../../protocol/realtime.js';
import type { Conversation } from '../conversation.js';
import type { ConversationActions } from '../conversation-actions.js';

/** An event in a conversation. Persisted events have an `id`; typing, delivery and presence do not. */
export class ConversationEvent {
  type: string;
  cid: string;
  id: number | undefined;
  /** The sending member's id (for member events: the member concerned); null for system events. */
  from: string | null;
  /** ISO-8601 UTC. */
  timestamp: string;
  body: Record<string, unknown>;
  readonly conversation: Conversation;

  /** @internal Events are made by the SDK. */
  constructor(
    private readonly actions: ConversationActions,
    wire: PushedEvent,
  ) {
    this.conversation = actions.conversation;
    this.type = wire.type;
    this.cid = wire.cid;
    this.id = wire.id;
    this.from = wire.from;
    this.timestamp = wire.timestamp;
    this.body = wire.body;
  }

  /** Deletes this event; users may delete only their own. */
  del(): Promise<void> {
    return this.actions.deleteEvent(this);
  }
}
