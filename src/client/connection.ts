import {
  CLOSE_CODES,
  NOTICE_TYPES,
  type PushedEvent,
  type RequestType,
  type SessionBody,
} from '../protocol/realtime.js';
import type { ReplyOf } from '../protocol/realtime-api.js';
import { backoff, type ReconnectOptions } from './backoff.js';
import {
  ClientErrorCode,
  ConnectedCode,
  ConnectingCode,
  ConnectionErrorCode,
  ConnectionState,
  DisconnectedCode,
  type StateCode,
} from './codes.js';
import { Emitter } from './emitter.js';
import { ConnectionError, ParleyApiError, ParleyClientError } from './errors.js';
import type { Logger } from './logger.js';
import { apiError, RequestQueue, type RequestOptions } from './request-queue.js';
import { isRecord, parsePushedEvent, parseReply, parseSession, type OutgoingRequest } from './wire.js';

/**
 * The part of the WebSocket API the SDK uses; the browser's `WebSocket` and the `ws` package both fit. Handler
 * parameters are `never` because the two libraries type their events differently; the SDK reads only
 * `data`, `code` and `reason`.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface ConnectionOptions {
  url: string;
  WebSocket: WebSocketConstructor;
  reconnect: ReconnectOptions;
  requestTimeoutMs: number;
  /** How often an open connection is checked with a ping. */
  heartbeatMs: number;
  logger: Logger;
}

export interface StateChange {
  oldState: ConnectionState;
  newState: ConnectionState;
  code: StateCode;
  reason: string;
}

export interface ConnectionEvents {
  state: [change: StateChange];
  /** A login succeeded; `reconnected` is false only for the first one after `connect`. */
  session: [session: SessionBody, reconnected: boolean];
  push: [event: PushedEvent];
  error: [error: Error];
}

interface Waiter {
  resolve: (session: SessionBody) => void;
  reject: (error: Error) => void;
}

const OPEN = 1;

/**
 * One logical connection to the native transport: opens the socket, logs in, answers each request with its
 * reply, queues while down, and reconnects with backoff until told not to (logout, refused or expired token).
 */
export class Connection extends Emitter<ConnectionEvents> {
  private current: ConnectionState = ConnectionState.Disconnected;
  private socket: WebSocketLike | null = null;
  private token = '';
  private attempt = 0;
  private everLoggedIn = false;
  private lastDisconnect: StateCode = DisconnectedCode.logout;
  /** Set by a server notice: when the socket closes, stop here instead of reconnecting. */
  private stopWith: DisconnectedCode | null = null;
  private waiter: Waiter | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private readonly requests: RequestQueue;

  constructor(private readonly options: ConnectionOptions) {
    super();
    this.requests = new RequestQueue(options.requestTimeoutMs, options.logger);
  }

  /** @internal The token the session logged in with, for HTTP calls beside the socket (uploads). */
  get currentToken(): string {
    return this.token;
  }

  /** @internal The native WebSocket URL this connection uses. */
  get socketUrl(): string {
    return this.options.url;
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** Opens the connection and logs in; settles with the first login's outcome. */
  connect(token: string): Promise<SessionBody> {
    if (this.current !== ConnectionState.Disconnected) {
      return Promise.reject(
        new ParleyClientError(ClientErrorCode.alreadyLoggedIn, 'Already logged in; log out first'),
      );
    }
    this.token = token;
    this.everLoggedIn = false;
    this.attempt = 0;
    return this.start(ConnectingCode.loginCalled, 'login() called');
  }

  /**
   * Sends a request and resolves with the reply body, checked and typed by the request's type; rejects with a
   * ParleyApiError (the server said no), a ConnectionError (no answer) or a ParleyClientError (an unreadable
   * reply).
   */
  async request<K extends RequestType>(
    request: OutgoingRequest<K>,
    options?: RequestOptions,
  ): Promise<ReplyOf<K>> {
    if (this.current === ConnectionState.Disconnected) {
      throw new ConnectionError(ConnectionErrorCode.disconnected, 'Not connected: log in first', false);
    }
    return parseReply(request, await this.requests.add(request, options));
  }

  /** Replaces the token: on the live session, or by logging in again after the old one was refused. */
  async updateToken(token: string): Promise<void> {
    if (this.current === ConnectionState.Connected) {
      await this.request({ type: 'session:update-token', body: { token } });
      this.token = token;
    } else if (this.current === ConnectionState.Connecting) {
      this.token = token;
    } else if (
      this.everLoggedIn &&
      (this.lastDisconnect === DisconnectedCode.unauthorized ||
        this.lastDisconnect === DisconnectedCode.tokenExpired)
    ) {
      this.token = token;
      this.attempt = 0;
      await this.start(ConnectingCode.tokenUpdated, 'updateToken() called');
    } else {
      throw new ParleyClientError(ClientErrorCode.notLoggedIn, 'Not logged in');
    }
  }

  /** Logs out (telling the server when connected) and stays disconnected. */
  async logout(): Promise<void> {
    if (this.current === ConnectionState.Connected) {
      try {
        await this.request({ type: 'session:logout', body: {} });
      } catch (error) {
        this.options.logger.debug('logout request failed', error);
      }
    }
    this.stop(DisconnectedCode.logout, 'logout() called');
  }

  private start(code: ConnectingCode, reason: string): Promise<SessionBody> {
    const settled = new Promise<SessionBody>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
    this.stopWith = null;
    this.setState(ConnectionState.Connecting, code, reason);
    this.open();
    return settled;
  }

  private open(): void {
    clearTimeout(this.timer);
    let socket: WebSocketLike;
    try {
      socket = new this.options.WebSocket(this.options.url);
    } catch (error) {
      this.options.logger.error('could not create a WebSocket', error);
      this.timer = setTimeout(() => this.lost(CLOSE_CODES.goingAway, String(error)));
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket === socket) this.login(socket);
    };
    socket.onmessage = (event: { data: unknown }) => {
      if (this.socket === socket) this.receive(event.data);
    };
    socket.onclose = (event: { code: number; reason: string }) => {
      if (this.socket === socket) this.lost(event.code, event.reason);
    };
    // The close event that follows an error carries what matters.
    socket.onerror = () => undefined;
    this.timer = setTimeout(
      () => this.drop(CLOSE_CODES.goingAway, 'connect timed out'),
      this.options.requestTimeoutMs,
    );
  }

  private login(socket: WebSocketLike): void {
    clearTimeout(this.timer);
    const request: OutgoingRequest<'session:login'> = { type: 'session:login', body: { token: this.token } };
    this.requests.sendFirst(request, (frame) => socket.send(frame), {
      resolve: (body) => this.loggedIn(socket, body),
      reject: (error) => this.loginRefused(error),
    });
  }

  private loggedIn(socket: WebSocketLike, body: unknown): void {
    let session: ReplyOf<'session:login'>;
    try {
      session = parseSession(body);
    } catch (error) {
      this.loginRefused(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const reconnected = this.everLoggedIn;
    this.everLoggedIn = true;
    this.attempt = 0;
    this.setState(ConnectionState.Connected, ConnectedCode.loggedIn, 'logged in');
    this.requests.open((frame) => {
      if (socket.readyState === OPEN) socket.send(frame);
    });
    this.waiter?.resolve(session);
    this.waiter = null;
    this.startHeartbeat(socket);
    this.emit('session', session, reconnected);
  }

  private loginRefused(error: Error): void {
    // Losing the socket is handled where it is noticed.
    if (error instanceof ConnectionError && error.code !== ConnectionErrorCode.timeout) return;
    // Only background logins report through `error`; the first one rejects login().
    if (this.everLoggedIn) this.emit('error', error);
    if (error instanceof ParleyApiError && !error.retryable) {
      this.stop(DisconnectedCode.unauthorized, error.description, error);
    } else {
      // A timeout or a temporary refusal: drop this socket and try again like any lost connection.
      this.waiter?.reject(error);
      this.waiter = null;
      this.drop(CLOSE_CODES.goingAway, error.message);
    }
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      this.options.logger.warn('ignored a frame that is not JSON');
      return;
    }
    if (!isRecord(message) || typeof message.type !== 'string') return;
    const { type } = message;
    if (typeof message.rid === 'string') {
      this.requests.settle(message.rid, type, message);
    } else if (type === NOTICE_TYPES.expiredToken) {
      this.emit('error', apiError(type, message));
      this.stopWith = DisconnectedCode.tokenExpired;
      this.drop(CLOSE_CODES.unauthorized, 'token expired');
    } else if (type === NOTICE_TYPES.terminated) {
      this.stopWith = DisconnectedCode.terminated;
      this.drop(CLOSE_CODES.normal, 'session terminated');
    } else if (type === NOTICE_TYPES.reconnect) {
      this.drop(CLOSE_CODES.restart, 'server asked to reconnect');
    } else {
      const event = parsePushedEvent(message);
      if (event) this.emit('push', event);
      else this.options.logger.warn('ignored an unsolicited frame', type, message.description);
    }
  }

  /** Closes the socket from this side and handles it as lost. */
  private drop(code: number, reason: string): void {
    this.closeSocket();
    this.lost(code, reason);
  }

  private closeSocket(): void {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    try {
      socket.close(CLOSE_CODES.normal);
    } catch (error) {
      this.options.logger.debug('closing the socket failed', error);
    }
  }

  /**
   * Pings the server while connected: a server that vanished without closing the socket (a dead node, a
   * cut network) shows up as an unanswered ping, and the connection is dropped and re-established.
   */
  private startHeartbeat(socket: WebSocketLike): void {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      if (this.socket !== socket || this.current !== ConnectionState.Connected) return;
      this.requests.add({ type: 'ping' }).catch((error: unknown) => {
        if (
          this.socket === socket &&
          error instanceof ConnectionError &&
          error.code === ConnectionErrorCode.timeout
        ) {
          this.drop(CLOSE_CODES.goingAway, 'the server stopped answering pings');
        }
      });
    }, this.options.heartbeatMs);
  }

  /** The socket is gone: fail what was in flight, then stop or schedule a reconnect. */
  private lost(code: number, reason: string): void {
    this.socket = null;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    if (this.current === ConnectionState.Disconnected) return;
    this.options.logger.debug('connection lost', code, reason);
    this.requests.interrupt(`${code} ${reason}`.trim());

    if (this.stopWith) return this.stop(this.stopWith, reason);
    if (code === CLOSE_CODES.unauthorized)
      return this.stop(DisconnectedCode.unauthorized, reason || 'unauthorized');
    const error = new ConnectionError(
      ConnectionErrorCode.transportClosed,
      `Connection lost (${code} ${reason})`,
    );
    if (!this.everLoggedIn)
      return this.stop(DisconnectedCode.connectFailed, reason || 'could not connect', error);
    this.waiter?.reject(error);
    this.waiter = null;
    const restart = code === CLOSE_CODES.restart;
    this.setState(
      ConnectionState.Connecting,
      restart ? ConnectingCode.serverRestart : ConnectingCode.transportClosed,
      reason || `closed with ${code}`,
    );
    const delay = backoff(this.attempt++, this.options.reconnect);
    this.options.logger.debug(`reconnecting in ${delay} ms`);
    this.timer = setTimeout(() => this.open(), delay);
  }

  /** Goes to `disconnected` for good: nothing queued or in flight will be answered. */
  private stop(code: DisconnectedCode, reason: string, cause?: Error): void {
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    this.closeSocket();
    const failure = new ConnectionError(ConnectionErrorCode.disconnected, `Disconnected: ${reason}`, false);
    this.requests.abandon(failure);
    this.waiter?.reject(cause ?? failure);
    this.waiter = null;
    this.lastDisconnect = code;
    this.setState(ConnectionState.Disconnected, code, reason);
  }

  private setState(newState: ConnectionState, code: StateCode, reason: string): void {
    const oldState = this.current;
    if (oldState === newState) return;
    this.current = newState;
    this.emit('state', { oldState, newState, code, reason });
  }
}
