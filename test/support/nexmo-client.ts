import nexmoClientModule from 'nexmo-client';

/** The part of nexmo-client 9.5.1 the tests drive, typed here; runtime is the real package. */
export interface NexmoEvent {
  id: number;
  type: string;
  from: string;
  body: { text?: string; message_type?: string; event_id?: number };
  seen(): Promise<unknown>;
}

export interface NexmoMemberInfo {
  memberId: string;
  userId?: string;
  userName?: string;
}

export interface NexmoPage<T> {
  items: Map<string | number, T>;
  hasNext(): boolean;
  getNext(): Promise<NexmoPage<T>>;
}

export interface NexmoConversation {
  id: string;
  name: string;
  display_name?: string;
  me?: { id: string; state: string };
  on(event: string, listener: (sender: NexmoMemberInfo, event: NexmoEvent) => void): void;
  sendMessage(message: { message_type: 'text'; text: string }): Promise<{ id: number; timestamp: string }>;
  sendText(text: string): Promise<{ id: number; timestamp: string }>;
  getEvents(params?: Record<string, unknown>): Promise<NexmoPage<NexmoEvent>>;
  join(): Promise<{ id: string; state: string }>;
  invite(params: { user_name: string }): Promise<{ id: string; state: string }>;
  getMembers(
    params?: Record<string, unknown>,
  ): Promise<NexmoPage<{ id: string; state: string; user: { name: string } }>>;
  leave(): Promise<unknown>;
  startTyping(): Promise<unknown>;
  sendCustomEvent(event: { type: string; body: Record<string, unknown> }): Promise<{ id: number }>;
}

export interface NexmoApplication {
  me: { id: string; name: string };
  getConversations(params?: Record<string, unknown>): Promise<NexmoPage<NexmoConversation>>;
  getConversation(id: string): Promise<NexmoConversation>;
  newConversation(params?: Record<string, unknown>): Promise<NexmoConversation>;
  getUser(id?: string): Promise<{ id: string; name: string }>;
  getUserSessions(params?: Record<string, unknown>): Promise<NexmoPage<{ id: string }>>;
  updateToken(token: string): Promise<unknown>;
}

export interface NexmoClientApi {
  createSession(token: string): Promise<NexmoApplication>;
  deleteSession(): Promise<unknown>;
}

const NexmoClient = nexmoClientModule as unknown as new (config: Record<string, unknown>) => NexmoClientApi;

/** A nexmo-client pointed at `baseUrl` for both REST and `/v2/rtc`, as a migrated app configures it. */
export const nexmoClient = (baseUrl: string, overrides: Record<string, unknown> = {}): NexmoClientApi =>
  new NexmoClient({ url: baseUrl, nexmo_api_url: baseUrl, debug: 'silent', ...overrides });
