import * as vonageClientSdk from '@vonage/client-sdk';

/**
 * The part of @vonage/client-sdk 2.3 the tests drive, typed here: the package's declarations use
 * extensionless relative imports, which NodeNext resolution cannot follow. Runtime is the real package.
 */
export interface VonageClientApi {
  createSession(token: string, sessionId?: string | null): Promise<string>;
  deleteSession(): Promise<void>;
  on(event: 'conversationEvent', listener: (event: unknown) => void): unknown;
  on(event: 'sessionError', listener: (reason: unknown) => void): unknown;
  getConversations(
    parameters?: object,
  ): Promise<{ conversations: { id: string }[]; nextCursor?: string | null }>;
  getConversation(idOrName: string): Promise<{
    id: string;
    name: string;
    displayName?: string | null;
    memberId?: string | null;
    memberState?: string | null;
  }>;
  sendMessageTextEvent(cid: string, text: string, raw?: boolean): Promise<string>;
  getConversationEvents(
    cid: string,
    parameters?: object,
  ): Promise<{ events: unknown[]; nextCursor?: string | null }>;
  sendMessageSeenEvent(eventId: number, cid: string): Promise<string>;
  refreshSession(token: string): Promise<unknown>;
  sendMessageImageEvent(cid: string, imageUrl: URL): Promise<string>;
  sendCustomEvent(cid: string, eventType: string, data: Record<string, unknown>): Promise<string>;
  sendEphemeralEvent(cid: string, data: Record<string, unknown>): Promise<string>;
  deleteEvent(eventId: number, cid: string): Promise<void>;
  getUser(idOrName: string): Promise<{ id: string; name: string; displayName?: string | null }>;
  createConversation(parameters?: object): Promise<string>;
  joinConversation(cid: string): Promise<string>;
  inviteToConversation(cid: string, name: string): Promise<string>;
  leaveConversation(cid: string): Promise<void>;
  deleteConversation(cid: string): Promise<void>;
  getConversationMembers(
    cid: string,
    parameters?: object,
  ): Promise<{ members: { id: string; state: string; user?: { name: string } | null }[] }>;
}

interface VonageClientModule {
  VonageClient: new (config: Record<string, unknown>) => VonageClientApi;
  PresentingOrder: { ASC: unknown; DESC: unknown };
}

const sdk = vonageClientSdk as unknown as VonageClientModule;

export const PresentingOrder = sdk.PresentingOrder;

/** A Vonage client pointed at `baseUrl` for both REST and `/v2/rtc`, as a migrated app configures it. */
export const vonageClient = (baseUrl: string): VonageClientApi =>
  vonageClientAt({ apiUrl: baseUrl, websocketUrl: baseUrl });

export const vonageClientAt = (urls: { apiUrl: string; websocketUrl: string }): VonageClientApi =>
  new sdk.VonageClient({ loggingLevel: 'Error', ...urls });
