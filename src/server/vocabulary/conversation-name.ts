import type { ConversationRecord } from '../../store/records.js';

const GENERATED_PREFIX = 'NAM-';

/**
 * The name a conversation created without one presents to the successor SDKs, which refuse a null name. As
 * Vonage did, it is generated: `NAM-` and the id's UUID, so it is stable and leads back to the conversation.
 */
export function generatedName(conversationId: string): string {
  return `${GENERATED_PREFIX}${conversationId.startsWith('CON-') ? conversationId.slice(4) : conversationId}`;
}

export const presentedName = (conversation: ConversationRecord): string =>
  conversation.name ?? generatedName(conversation.id);

/** The conversation id a generated name stands for, if `name` is one. */
export function idOfGeneratedName(name: string): string | undefined {
  return name.startsWith(GENERATED_PREFIX) ? `CON-${name.slice(GENERATED_PREFIX.length)}` : undefined;
}
