import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ParleyError } from '../../../protocol/errors.js';
import { CLOSE_CODES, NATIVE_PATH, STITCH_PATH } from '../../../protocol/realtime.js';
import type { OriginPolicy } from '../../origin-policy.js';
import type { Connection } from '../connection.js';
import type { EncodedFrame } from '../encoded-frame.js';
import { RealtimeSession, type RealtimeContext } from '../realtime-session.js';

export interface NativeOptions {
  /** Largest inbound frame, bytes. */
  maxFrameBytes: number;
  /** Pings every this often; a connection that missed the previous pong is dropped. */
  heartbeatMs: number;
  origins: OriginPolicy;
}

class NativeConnection implements Connection {
  readonly transport = 'native';

  constructor(
    private readonly ws: WebSocket,
    readonly remote: string,
    private readonly maxBufferBytes: number,
  ) {}

  send(message: { type: string } & Record<string, unknown>): void {
    this.write(JSON.stringify(message));
  }

  sendFrame(frame: EncodedFrame): void {
    this.write(frame.jsonBytes);
  }

  /** Writes unless the client has stopped reading: then it is dropped, so its backlog cannot grow without bound. */
  private write(text: string | Buffer): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.maxBufferBytes) {
      this.ws.close(CLOSE_CODES.slowConsumer, 'slow consumer');
      this.ws.terminate();
      return;
    }
    this.ws.send(text, { binary: false });
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
}

/** Parley's lean transport: one JSON object per WebSocket text frame at `/ws`. */
export class NativeTransport {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<WebSocket, RealtimeSession>();
  private readonly alive = new WeakSet<WebSocket>();
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private closing = false;

  constructor(
    private readonly ctx: RealtimeContext,
    private readonly options: NativeOptions,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      // Frames up to the limit are answered with an error and the connection survives; only a frame four times
      // over is a protocol violation that closes it (1009), since ws must buffer a frame whole.
      maxPayload: options.maxFrameBytes * 4,
      perMessageDeflate: false,
    });
    this.wss.on('connection', (ws, req) => this.accept(ws, req));
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Takes upgrades for `/ws`, leaves `/rtc` to socket.io, and refuses any other. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?', 1)[0] ?? '';
      if (this.closing) {
        socket.destroy();
      } else if (path === NATIVE_PATH && !this.options.origins.allows(req.headers.origin)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      } else if (path === NATIVE_PATH) {
        this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
      } else if (!path.startsWith(STITCH_PATH)) {
        socket.destroy();
      }
    });
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  /** Stops taking connections, answers the requests already received, then tells every client to reconnect. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    await Promise.all([...this.sessions.values()].map((s) => s.drain()));
    for (const [ws, session] of this.sessions) {
      session.connection.send({ type: 'session:reconnect', body: {} });
      ws.close(CLOSE_CODES.restart, 'server restarting');
    }
    this.wss.close();
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const session = new RealtimeSession(
      this.ctx,
      new NativeConnection(ws, req.socket.remoteAddress ?? '', this.ctx.limits.maxBufferBytes),
    );
    this.sessions.set(ws, session);
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    ws.on('message', (data, isBinary) => {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(toBuffers(data));
      if (bytes.length > this.options.maxFrameBytes) {
        session.refuse(
          new ParleyError(
            'system:error:too-large',
            `Frames may have at most ${this.options.maxFrameBytes} bytes`,
          ),
          parseOrUndefined(bytes),
        );
        return;
      }
      if (isBinary) {
        session.refuse(new ParleyError('system:error:invalid-request', 'Frames are JSON text'));
        return;
      }
      let message: unknown;
      try {
        message = JSON.parse(bytes.toString('utf8'));
      } catch {
        session.refuse(new ParleyError('system:error:invalid-request', 'A frame must be one JSON object'));
        return;
      }
      session.receive(message);
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      this.sessions.delete(ws);
      session.closed();
    });
  }

  private beat(): void {
    for (const ws of this.sessions.keys()) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }
}

function toBuffers(data: ArrayBuffer | Buffer[]): Buffer[] {
  return Array.isArray(data) ? data : [Buffer.from(data)];
}

function parseOrUndefined(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
