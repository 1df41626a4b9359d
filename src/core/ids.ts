const uuid = (): string => globalThis.crypto.randomUUID();

export const newApplicationId = uuid;
export const newUserId = (): string => `USR-${uuid()}`;
export const newConversationId = (): string => `CON-${uuid()}`;
export const newMemberId = (): string => `MEM-${uuid()}`;
export const newSessionId = (): string => `SESSION-${uuid()}`;
