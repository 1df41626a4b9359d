import type { Conversation } from './conversation.js';
import type { ConversationEvent } from './events/conversation-event.js';
import type { TextEvent } from './events/text-event.js';
import type { Member } from './member.js';

/**
 * @internal What members and events ask of the conversation they belong to (nexmo-stitch puts `member.kick()`,
 * `event.del()` and `text.seen()` on them), kept off the public `Conversation`.
 */
export interface ConversationActions {
  /** The public object they expose as `.conversation`. */
  readonly conversation: Conversation;
  removeMember(member: Member): Promise<Member>;
  deleteEvent(event: ConversationEvent): Promise<void>;
  sendReceipt(type: 'text:seen' | 'text:delivered', event: TextEvent): Promise<void>;
}
