import type { Server as HttpServer } from 'node:http';
import type { Server, Socket } from 'socket.io';
import { ParleyError } from '../../../protocol/errors.js';
import { CLOSE_CODES, STITCH_PATH } from '../../../protocol/realtime.js';
import type { OriginPolicy } from '../../origin-policy.js';
import { socketIoServer } from '../socket-io-server.js';
import type { Connection, OutboundMessage } from '../connection.js';
import type { EncodedFrame } from '../encoded-frame.js';
import { RealtimeSession, type RealtimeContext } from '../realtime-session.js';

export interface StitchOptions {
  maxFrameBytes: number;
  origins: OriginPolicy;
}

/** Rough size of one queued packet, to turn the byte budget into engine.io's packet count. */
const PACKET_ESTIMATE_BYTES = 512;

class StitchConnection implements Connection {
  constructor(
    private readonly socket: Socket,
    readonly remote: string,
    private readonly maxQueuedPackets: number,
  ) {}

  /** The Stitch SDK knows no `presence:update`; everything else it does. */
  accepts(type: string): boolean {
    return type !== 'presence:update';
  }

  send(message: OutboundMessage): void {
    if (!this.keepingUp()) return;
    const { type, ...payload } = message;
    this.socket.emit(type, payload);
  }

  /** Writes the pre-encoded socket.io packet straight to the engine, so fan-out encodes once per event. */
  sendFrame(frame: EncodedFrame): void {
    if (this.keepingUp()) this.socket.conn.write(frame.stitch, frame.stitchSendOptions);
  }

  /** False, after dropping the client, once it has stopped reading and its queue would grow without bound. */
  private keepingUp(): boolean {
    if (!this.socket.connected) return false;
    // engine.io keeps packets the socket could not take yet in `writeBuffer`; its typings mark it private.
    const queued = (this.socket.conn as unknown as { writeBuffer: readonly unknown[] }).writeBuffer.length;
    if (queued <= this.maxQueuedPackets) return true;
    this.socket.disconnect(true);
    return false;
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
    private readonly options: StitchOptions,
  ) {
    this.io = socketIoServer(server, STITCH_PATH, options, { allowEIO3: true });
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
    const session = new RealtimeSession(
      this.ctx,
      new StitchConnection(
        socket,
        socket.handshake.address,
        Math.max(64, Math.floor(this.ctx.limits.maxBufferBytes / PACKET_ESTIMATE_BYTES)),
      ),
    );
    let lastPacketBytes = 0;
    socket.conn.on('packet', (packet: { type: string; data?: unknown }) => {
      if (packet.type === 'message')
        lastPacketBytes = typeof packet.data === 'string' ? packet.data.length : 0;
    });
    socket.onAny((event: unknown, payload: unknown) => {
      if (typeof event !== 'string') return;
      if (lastPacketBytes > this.options.maxFrameBytes) {
        session.refuse(
          new ParleyError(
            'system:error:too-large',
            `Frames may have at most ${this.options.maxFrameBytes} bytes`,
          ),
          payload,
        );
        return;
      }
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
