/** Connection states; the client and the Application emit `state` with a {@link StateChange} on every transition. */
export const ConnectionState = {
  Disconnected: 'disconnected',
  Connecting: 'connecting',
  Connected: 'connected',
} as const;
export type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState];

/** Why the client entered `connecting`. */
export const ConnectingCode = {
  loginCalled: 'login-called',
  transportClosed: 'transport-closed',
  /** The server is restarting (`session:reconnect` notice or close code 1012). */
  serverRestart: 'server-restart',
  tokenUpdated: 'token-updated',
} as const;
export type ConnectingCode = (typeof ConnectingCode)[keyof typeof ConnectingCode];

/** Why the client entered `connected`. */
export const ConnectedCode = {
  loggedIn: 'logged-in',
} as const;
export type ConnectedCode = (typeof ConnectedCode)[keyof typeof ConnectedCode];

/** Why the client entered `disconnected`; from there it does not reconnect on its own. */
export const DisconnectedCode = {
  logout: 'logout',
  /** The server refused the token (or closed with 4001): log in again or call `updateToken`. */
  unauthorized: 'unauthorized',
  tokenExpired: 'token-expired',
  /** The server ended the session (`session:terminated`). */
  terminated: 'terminated',
  /** The first login never got an answer from the server. */
  connectFailed: 'connect-failed',
} as const;
export type DisconnectedCode = (typeof DisconnectedCode)[keyof typeof DisconnectedCode];

export type StateCode = ConnectingCode | ConnectedCode | DisconnectedCode;

/** Why a request got no answer. */
export const ConnectionErrorCode = {
  timeout: 'timeout',
  transportClosed: 'transport-closed',
  /** The client is disconnected (logged out, token refused or expired) and will not retry on its own. */
  disconnected: 'disconnected',
} as const;
export type ConnectionErrorCode = (typeof ConnectionErrorCode)[keyof typeof ConnectionErrorCode];

/** Errors raised by the SDK itself, before or instead of asking the server; named as nexmo-stitch names them. */
export const ClientErrorCode = {
  /** The user has no member in this conversation. */
  self: 'error:self',
  alreadyLoggedIn: 'error:user:relogin',
  notLoggedIn: 'error:user:not-logged-in',
  noWebSocket: 'error:no-websocket',
  noUrl: 'error:no-url',
  seenOwnMessage: 'error:seen:own-message',
  alreadySeen: 'error:already-seen',
  deliveredOwnMessage: 'error:delivered:own-message',
  inviteMissingParams: 'error:invite:missing:params',
  /** Only a stored event (one with an id) can be deleted; typing and delivery are never stored. */
  notStored: 'error:event:not-stored',
  /** The server answered with something the SDK could not read. */
  badReply: 'error:bad-reply',
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];
