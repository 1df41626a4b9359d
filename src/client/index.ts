export { ConversationClient, DEFAULT_RECONNECT, DEFAULT_REQUEST_TIMEOUT_MS } from './conversation-client.js';
export type { ClientEvents, ConversationClientOptions } from './conversation-client.js';
export { Application } from './application.js';
export type { ApplicationEvents, NewConversationParams } from './application.js';
export { Conversation } from './conversation.js';
export type { ConversationEvents, ConversationLoadState, EventQuery, UserRef } from './conversation.js';
export { Member } from './member.js';
export { ConversationEvent } from './events/conversation-event.js';
export { TextEvent } from './events/text-event.js';
export type { TextBody, TextState } from './events/text-event.js';
export { ConnectionError, ParleyApiError, ParleyClientError, isTemporary } from './errors.js';
export {
  ClientErrorCode,
  ConnectedCode,
  ConnectingCode,
  ConnectionErrorCode,
  ConnectionState,
  DisconnectedCode,
} from './codes.js';
export type { StateCode } from './codes.js';
export type { StateChange, WebSocketConstructor, WebSocketLike } from './connection.js';
export type { ReconnectOptions } from './backoff.js';
export type { UploadableFile, UploadOptions, UploadProgress } from './media-upload.js';
export type { MemberState, MemberTimestamps, User } from './wire.js';
