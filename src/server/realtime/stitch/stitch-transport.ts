import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { CLOSE_CODES, STITCH_PATH } from '../../../protocol/realtime.js';
import type { Connection } from '../connection.js';
import type { EncodedFrame } from '../encoded-frame.js';
import { RealtimeSession, type RealtimeContext } from '../realtime-session.js';

export interface StitchOptions {
  maxFrameBytes: number;
}

class StitchConnection implements Connection {
  readonly transport = 'stitch';

  constructor(
    private readonly socket: Socket,
    readonly remote: string,
  ) {}

  send(message: { type: string } & Record<string, unknown>): void {
    const { type, ...payload } = message;
    this.socket.emit(type, payload);
  }

  /** Writes the pre-encoded socket.io packet straight to the engine, so fan-out encodes once per event. */
  sendFrame(frame: EncodedFrame): void {
    if (this.socket.connected) this.socket.conn.write(frame.stitch);
  }

  close(code: number, _reason: string): void {
    // socket.io has no close codes; "going away" tells the client it may reconnect, otherwise it must not.
    this.socket.disconnect(code !== CLOSE_CODES.restart);
  }
}

/**
 * The Stitch wire protocol at `/rtc`: socket.io 4 accepting Engine.IO 3 so the real nexmo-stitch SDK (a
 * socket.io 2 client) connects unchanged. Each socket.io event is a request named by its event.
 */
export class StitchTransport {
  private readonly io: Server;
  private readonly sessions = new Set<RealtimeSession>();

  constructor(
    private readonly ctx: RealtimeContext,
    server: HttpServer,
    options: StitchOptions,
  ) {
    this.io = new Server(server, {
      path: STITCH_PATH,
      allowEIO3: true,
      serveClient: false,
      maxHttpBufferSize: options.maxFrameBytes,
      cors: { origin: true, credentials: false },
      destroyUpgrade: false,
    });
    this.io.on('connection', (socket) => this.accept(socket));
  }

  get connectionCount(): number {
    return this.io.engine.clientsCount;
  }

  /**
   * Answers the requests already received, then tells every client to reconnect (elsewhere) and drops them;
   * the HTTP server is closed by its owner.
   */
  async close(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.drain()));
    for (const socket of this.io.sockets.sockets.values()) {
      socket.emit('session:reconnect', { body: {} });
      socket.disconnect(true);
    }
    this.io.engine.close();
  }

  private accept(socket: Socket): void {
    const session = new RealtimeSession(this.ctx, new StitchConnection(socket, socket.handshake.address));
    socket.onAny((event: unknown, payload: unknown) => {
      if (typeof event !== 'string') return;
      const fields =
        typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload : {};
      session.receive({ ...fields, type: event });
    });
    this.sessions.add(session);
    socket.on('disconnect', () => {
      this.sessions.delete(session);
      session.closed();
    });
  }
}
