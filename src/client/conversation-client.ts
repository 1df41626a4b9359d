import type { SessionBody } from '../protocol/realtime.js';
import { Application } from './application.js';
import type { ReconnectOptions } from './backoff.js';
import { ClientErrorCode, ConnectionState } from './codes.js';
import { Connection, type StateChange, type WebSocketConstructor } from './connection.js';
import { socketUrl } from './default-url.js';
import { Emitter } from './emitter.js';
import { ParleyClientError } from './errors.js';
import { createLogger, type Logger } from './logger.js';

export interface ConversationClientOptions {
  /** Log diagnostics to the console. */
  debug?: boolean;
  /**
   * The server's base URL, e.g. `https://chat.example.com`; the SDK connects to `<url>/ws`. In a browser it
   * defaults to the origin the SDK script was loaded from, else the page's origin.
   */
  url?: string;
  /** The WebSocket constructor; defaults to `globalThis.WebSocket` (in Node 20, pass the `ws` package's). */
  WebSocket?: WebSocketConstructor;
  /** Delays between reconnect attempts (full-jitter exponential backoff). */
  reconnect?: Partial<ReconnectOptions>;
  /** How long a request may wait for its answer. */
  requestTimeoutMs?: number;
  /** How often an open connection is checked with a ping (default 25 s). */
  heartbeatMs?: number;
}

export interface ClientEvents {
  state: [change: StateChange];
  error: [error: Error];
}

export const DEFAULT_RECONNECT: ReconnectOptions = { minDelayMs: 500, maxDelayMs: 20_000 };
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_HEARTBEAT_MS = 25_000;

/** The entry point, as in nexmo-stitch: `new ConversationClient(options).login(jwt)` resolves to the Application. */
export class ConversationClient extends Emitter<ClientEvents> {
  /** The logged-in user's Application, once `login` succeeded. */
  application: Application | null = null;
  private connection: Connection | null = null;
  private readonly logger: Logger;

  constructor(private readonly options: ConversationClientOptions = {}) {
    super();
    this.logger = createLogger(options.debug === true);
  }

  get state(): ConnectionState {
    return this.connection?.state ?? ConnectionState.Disconnected;
  }

  /** Connects, logs in and lists your conversations. */
  async login(token: string): Promise<Application> {
    const connection = (this.connection ??= this.createConnection());
    const session = await connection.connect(token);
    const application = this.application;
    if (application?.me.id !== session.user_id) {
      throw new ParleyClientError(ClientErrorCode.badReply, 'The session has no application');
    }
    try {
      await application.getConversations();
    } catch (error) {
      await this.logout();
      throw error;
    }
    return application;
  }

  /** Logs out; the client stays disconnected until the next `login`. */
  async logout(): Promise<void> {
    await this.connection?.logout();
    this.application?.detach();
    this.application = null;
  }

  private createConnection(): Connection {
    // Browsers and Node 22 have one; Node 20 does not.
    const ambient = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    const WebSocketImpl = this.options.WebSocket ?? ambient;
    if (!WebSocketImpl) {
      throw new ParleyClientError(
        ClientErrorCode.noWebSocket,
        'No WebSocket implementation: pass { WebSocket } (for example from the ws package)',
      );
    }
    const connection = new Connection({
      url: socketUrl(this.options.url),
      WebSocket: WebSocketImpl,
      reconnect: { ...DEFAULT_RECONNECT, ...this.options.reconnect },
      requestTimeoutMs: this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      heartbeatMs: this.options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
      logger: this.logger,
    });
    connection.on('state', (change) => this.emit('state', change));
    connection.on('error', (error) => this.emit('error', error));
    connection.on('session', (session) => this.startApplication(connection, session));
    return connection;
  }

  /** Created as the login succeeds, before anything else arrives, so no pushed event is missed. */
  private startApplication(connection: Connection, session: SessionBody): void {
    if (this.application?.me.id === session.user_id) return;
    this.application?.detach();
    this.application = new Application(connection, session, {
      logger: this.logger,
      logout: () => this.logout(),
    });
  }
}
