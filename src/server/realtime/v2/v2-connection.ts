import type { Socket } from 'socket.io';
import type { PushedEvent } from '../../../protocol/realtime.js';
import { CLOSE_CODES } from '../../../protocol/realtime.js';
import type { UserRecord } from '../../../store/records.js';
import type { Connection } from '../connection.js';
import type { EncodedFrame } from '../encoded-frame.js';
import type { V2EventRenderer, V2PushedEvent, V2Vocabulary } from './v2-event-renderer.js';

type Message = { type: string } & Record<string, unknown>;

/** How the client reads events; settled at login, before any event goes out. */
export interface V2Reading extends V2Vocabulary {
  /** The client acknowledges each event (both SDKs do, with `acknowledge_events=true`). */
  acknowledge: boolean;
}

/**
 * One `/v2/rtc` socket as a session's connection. Pushed events wait until `session:success` has gone out
 * (nexmo-client takes the first event of any name as its login reply) and any catch-up is done; then each
 * goes out rendered for the successor SDKs, in order, and never an id at or below one already pushed for its
 * conversation on this socket.
 */
export class V2Connection implements Connection {
  /** Conversation id → lowest and highest event id pushed on this socket. */
  private readonly firstPushed = new Map<string, number>();
  private readonly pushed = new Map<string, number>();
  /** Conversation id → highest event id the client acknowledged: what it surely has, should the socket die. */
  private readonly acked = new Map<string, number>();
  private held: EncodedFrame[] | null = [];
  private outgoing: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Socket,
    readonly remote: string,
    private readonly renderer: V2EventRenderer,
    readonly reading: V2Reading,
    private readonly options: {
      maxQueuedPackets: number;
      /** Replies the transport handles itself (its own login); true when it did. */
      intercept: (message: Message) => boolean;
      onError: (err: unknown) => void;
    },
  ) {}

  /** Neither successor SDK knows Parley's `presence:update`; everything else is theirs. */
  accepts(type: string): boolean {
    return type !== 'presence:update';
  }

  /** The session's replies and notices: the same names on this socket, without Stitch's reply routing. */
  send(message: Message): void {
    if (this.options.intercept(message)) return;
    const { type, ...payload } = message;
    if (payload.body === undefined) payload.body = {};
    this.emit(type, payload);
  }

  sendFrame(frame: EncodedFrame): void {
    if (this.held) this.held.push(frame);
    else this.enqueue(() => this.renderer.renderFrame(frame, this.reading));
  }

  /** Pushes stored events (a catch-up) ahead of the live ones held meanwhile. */
  replay(event: PushedEvent, fromUser: UserRecord | null): void {
    this.enqueue(() => this.renderer.render(event, this.reading, fromUser));
  }

  /** Lets held and future live events out. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const frame of held) this.sendFrame(frame);
  }

  /**
   * Per conversation, the newest event the client surely has. A client that acknowledges has what it
   * acknowledged; what was written to a socket that died may never have arrived, and is sent again.
   */
  delivered(): Map<string, number> {
    if (!this.reading.acknowledge) return new Map(this.pushed);
    const delivered = new Map<string, number>();
    for (const [cid, first] of this.firstPushed) delivered.set(cid, this.acked.get(cid) ?? first - 1);
    return delivered;
  }

  close(code: number, _reason: string): void {
    // A server-side socket.io disconnect tells both SDKs the session is over (the Vonage SDK reports an
    // expired token); closing only the engine makes them reconnect with their session_id instead.
    if (code === CLOSE_CODES.restart || code === CLOSE_CODES.slowConsumer) this.socket.conn.close();
    else this.socket.disconnect(true);
  }

  private enqueue(render: () => Promise<V2PushedEvent>): void {
    const rendering = render();
    // Its failure is reported in order below; this only keeps Node from calling it unhandled meanwhile.
    rendering.catch(() => undefined);
    this.outgoing = this.outgoing
      .then(() => rendering)
      .then((event) => this.push(event))
      .catch((err: unknown) => this.options.onError(err));
  }

  private push(event: V2PushedEvent): void {
    if (event.id !== undefined) {
      const last = this.pushed.get(event.cid) ?? 0;
      if (event.id <= last) return;
      this.pushed.set(event.cid, event.id);
      if (!this.firstPushed.has(event.cid)) this.firstPushed.set(event.cid, event.id);
    }
    const { type, ...payload } = event;
    const { id, cid } = event;
    this.emit(
      type,
      { ...payload, type },
      id === undefined ? undefined : () => this.acked.set(cid, Math.max(id, this.acked.get(cid) ?? 0)),
    );
  }

  private emit(type: string, payload: Record<string, unknown>, onAck?: () => void): void {
    if (!this.keepingUp()) return;
    if (this.reading.acknowledge) this.socket.emit(type, payload, onAck ?? noAck);
    else this.socket.emit(type, payload);
  }

  /** False, after dropping the client, once it has stopped reading and its queue would grow without bound. */
  private keepingUp(): boolean {
    if (!this.socket.connected) return false;
    // engine.io keeps packets the socket could not take yet in `writeBuffer`; its typings mark it private.
    const queued = (this.socket.conn as unknown as { writeBuffer: readonly unknown[] }).writeBuffer.length;
    if (queued <= this.options.maxQueuedPackets) return true;
    this.socket.conn.close();
    return false;
  }
}

const noAck = (): void => undefined;
