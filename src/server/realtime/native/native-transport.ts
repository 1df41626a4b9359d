import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData, type Server as WsServer } from 'ws';
import { ParleyError } from '../../../protocol/errors.js';
import { CLOSE_CODES, NATIVE_PATH, STITCH_PATH, V2_PATH } from '../../../protocol/realtime.js';
import type { OriginPolicy } from '../../origin-policy.js';
import type { Connection, OutboundMessage } from '../connection.js';
import type { EncodedFrame } from '../encoded-frame.js';
import { RealtimeSession, type RealtimeContext } from '../realtime-session.js';

export interface NativeOptions {
  /** Largest inbound frame, bytes. */
  maxFrameBytes: number;
  /** Pings every this often; a connection that missed the previous pong is dropped. */
  heartbeatMs: number;
  origins: OriginPolicy;
}

/** A server-side socket that carries its session and heartbeat state, so no map or set per socket is kept. */
class SessionSocket extends WebSocket {
  session: RealtimeSession | undefined;
  /** Answered the last ping (or has not been pinged yet). */
  alive = true;
}

class NativeConnection implements Connection {
  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Socket,
    private readonly maxBufferBytes: number,
  ) {}

  /** Parley's own SDK understands every pushed event type. */
  accepts(): boolean {
    return true;
  }

  /** Read when asked, not kept: looking it up makes Node cache the peer's address with the socket. */
  get remote(): string {
    return this.socket.remoteAddress ?? '';
  }

  send(message: OutboundMessage): void {
    if (this.writable()) this.ws.send(JSON.stringify(message), { binary: false });
  }

  /**
   * Without compression ws writes each frame straight to the socket, never queueing, so a frame built once
   * for all recipients can go there directly, in order with ws's own writes: one write per recipient instead
   * of ws framing it again and corking two.
   */
  sendFrame(frame: EncodedFrame): void {
    if (this.writable()) this.socket.write(frame.wsFrame);
  }

  /** Whether the socket is open and reading: a client that stopped is dropped, so its backlog stays bounded. */
  private writable(): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    if (this.ws.bufferedAmount > this.maxBufferBytes) {
      this.ws.close(CLOSE_CODES.slowConsumer, 'slow consumer');
      this.ws.terminate();
      return false;
    }
    return true;
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
}

/** Parley's lean transport: one JSON object per WebSocket text frame at `/ws`. */
export class NativeTransport {
  private readonly wss: WsServer<typeof SessionSocket>;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  /** Shared by every socket (`this` is the socket), so a connection costs no closures of its own. */
  private readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  private closing = false;

  constructor(
    private readonly ctx: RealtimeContext,
    private readonly options: NativeOptions,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      WebSocket: SessionSocket,
      // Frames up to the limit are answered with an error and the connection survives; only a frame four times
      // over is a protocol violation that closes it (1009), since ws must buffer a frame whole.
      maxPayload: options.maxFrameBytes * 4,
      perMessageDeflate: false,
    });
    const maxFrameBytes = options.maxFrameBytes;
    this.onMessage = function (this: WebSocket, data: RawData, isBinary: boolean) {
      if (this instanceof SessionSocket && this.session) receive(this.session, data, isBinary, maxFrameBytes);
    };
    this.wss.on('connection', (ws, req) => this.accept(ws, req));
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Takes upgrades for `/ws`, leaves `/rtc` and `/v2/rtc` to socket.io, and refuses any other. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?', 1)[0] ?? '';
      if (this.closing) {
        socket.destroy();
      } else if (path === NATIVE_PATH && !this.options.origins.allows(req.headers.origin)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      } else if (path === NATIVE_PATH) {
        this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
      } else if (!path.startsWith(STITCH_PATH) && !path.startsWith(V2_PATH)) {
        socket.destroy();
      }
    });
  }

  get connectionCount(): number {
    return this.wss.clients.size;
  }

  /** Stops taking connections, answers the requests already received, then tells every client to reconnect. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    await Promise.all([...this.wss.clients].flatMap((ws) => (ws.session ? [ws.session.drain()] : [])));
    for (const ws of this.wss.clients) {
      ws.session?.connection.send({ type: 'session:reconnect', body: {} });
      ws.close(CLOSE_CODES.restart, 'server restarting');
    }
    this.wss.close();
  }

  private accept(ws: SessionSocket, req: IncomingMessage): void {
    ws.session = new RealtimeSession(
      this.ctx,
      new NativeConnection(ws, req.socket, this.ctx.limits.maxBufferBytes),
    );
    ws.on('pong', markAlive);
    ws.on('message', this.onMessage);
    ws.on('error', terminate);
    ws.on('close', sessionClosed);
  }

  private beat(): void {
    for (const ws of this.wss.clients) {
      if (!ws.alive) {
        ws.terminate();
        continue;
      }
      ws.alive = false;
      ws.ping();
    }
  }
}

// The listeners every socket shares; `this` is the socket, a SessionSocket since the server makes only those.

function markAlive(this: WebSocket): void {
  if (this instanceof SessionSocket) this.alive = true;
}

function terminate(this: WebSocket): void {
  this.terminate();
}

function sessionClosed(this: WebSocket): void {
  if (this instanceof SessionSocket) this.session?.closed();
}

/** Hands one inbound frame to its session, or refuses it. */
function receive(session: RealtimeSession, data: RawData, isBinary: boolean, maxFrameBytes: number): void {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(toBuffers(data));
  if (bytes.length > maxFrameBytes) {
    session.refuse(
      new ParleyError('system:error:too-large', `Frames may have at most ${maxFrameBytes} bytes`),
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
