import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { ClientKind, ClientSpec } from './messages.js';
import { XMPP_PASSWORD, XmppTransport } from './xmpp-transport.js';

/** What a transport reports to its client. */
export interface TransportEvents {
  /** A pushed text event; `id` is Parley's event id (baselines have none). */
  text(id: number | undefined, text: string): void;
  /** A reply to a request: `ok` when its type is the success type. */
  reply(rid: string, ok: boolean, type: string, body: unknown): void;
  /** The connection ended without the client asking. */
  closed(reason: string): void;
  /** The archive id a server stamped on a live text (the XMPP peers' `<stanza-id>`), for catching up later. */
  archived?(id: string): void;
}

export interface Transport {
  /** Connects and logs in (Parley) or joins the room (baselines); rejects on refusal or after `timeoutMs`. */
  open(timeoutMs: number): Promise<void>;
  request(type: string, fields: { tid: string; cid?: string; body?: unknown }): void;
  /** Stops reading from the socket (TCP backpressure builds up at the server) and starts again. */
  pause(): void;
  resume(): void;
  /** Drops the connection from the client side; no `closed` event follows. */
  terminate(): void;
  readonly isOpen: boolean;
  /**
   * Asks the server's archive for the texts after archive id `after` (all, when undefined), hands each to
   * `onText` in order, and resolves when the archive says it is done (the XMPP peers' MAM query).
   */
  fetchArchive?(after: string | undefined, onText: (text: string) => void): Promise<void>;
}

interface Incoming {
  type?: string;
  rid?: string | null;
  id?: number;
  body?: unknown;
}

const textOf = (body: unknown): string | undefined => {
  if (typeof body !== 'object' || body === null || !('text' in body)) return undefined;
  return typeof body.text === 'string' ? body.text : undefined;
};

/**
 * One JSON object per WebSocket text frame: Parley's native `/ws` and the B-ws baseline. Presence and typing
 * frames are recognised by their prefix and never parsed, so the load generator spends its CPU on texts.
 */
class WsTransport implements Transport {
  private ws: WebSocket | undefined;
  private intentional = false;

  constructor(
    private readonly url: string,
    private readonly hello: { type: string; tid: string; cid?: string; body?: unknown },
    private readonly successType: string,
    private readonly events: TransportEvents,
  ) {}

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  open(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${this.url.replace(/^http/, 'ws')}/ws`, {
        perMessageDeflate: false,
        handshakeTimeout: timeoutMs,
      });
      this.ws = ws;
      let settled = false;
      const timer = setTimeout(() => fail(new Error('login timed out')), timeoutMs);
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.intentional = true;
        ws.terminate();
        reject(e);
      };
      ws.on('open', () => ws.send(JSON.stringify(this.hello)));
      ws.on('error', (e) => fail(e));
      ws.on('close', (code) => {
        if (!settled) fail(new Error(`closed ${code} before login`));
        else if (!this.intentional) this.events.closed(`close ${code}`);
      });
      ws.on('message', (data: Buffer) => {
        const s = data.toString();
        if (s.startsWith('{"type":"presence:') || s.startsWith('{"type":"text:typing')) return;
        const m = JSON.parse(s) as Incoming;
        if (typeof m.rid === 'string') {
          if (m.rid === this.hello.tid && !settled) {
            settled = true;
            clearTimeout(timer);
            if (m.type === this.successType) resolve();
            else {
              this.intentional = true;
              ws.terminate();
              reject(new Error(`refused: ${m.type}`));
            }
            return;
          }
          this.events.reply(
            m.rid,
            typeof m.type === 'string' && m.type.endsWith('success'),
            m.type ?? '',
            m.body,
          );
        } else if (m.type === 'text') {
          const text = textOf(m.body);
          if (text !== undefined) this.events.text(m.id, text);
        }
      });
    });
  }

  request(type: string, fields: { tid: string; cid?: string; body?: unknown }): void {
    this.ws?.send(JSON.stringify({ type, ...fields }));
  }

  pause(): void {
    this.ws?.pause();
  }

  resume(): void {
    this.ws?.resume();
  }

  terminate(): void {
    this.intentional = true;
    this.ws?.terminate();
  }
}

/** Socket.IO on the websocket transport: Parley's Stitch-compatible `/rtc` and the B-sio baseline. */
class SioTransport implements Transport {
  private socket: Socket | undefined;
  private intentional = false;

  constructor(
    private readonly url: string,
    private readonly hello: { type: string; tid: string; cid?: string; body?: unknown },
    private readonly successType: string,
    private readonly events: TransportEvents,
  ) {}

  get isOpen(): boolean {
    return this.socket?.connected === true;
  }

  open(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = io(this.url, {
        path: '/rtc',
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        timeout: timeoutMs,
      });
      this.socket = socket;
      let settled = false;
      const timer = setTimeout(() => fail(new Error('login timed out')), timeoutMs);
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.intentional = true;
        socket.disconnect();
        reject(e);
      };
      socket.on('connect', () => {
        const { type, ...payload } = this.hello;
        socket.emit(type, payload);
      });
      socket.on('connect_error', (e) => fail(e));
      socket.on('disconnect', (reason) => {
        if (!settled) fail(new Error(`disconnected (${reason}) before login`));
        else if (!this.intentional) this.events.closed(reason);
      });
      socket.onAny((event: unknown, payload: unknown) => {
        if (typeof event !== 'string' || typeof payload !== 'object' || payload === null) return;
        const m = payload as Incoming;
        if (typeof m.rid === 'string') {
          if (m.rid === this.hello.tid && !settled) {
            settled = true;
            clearTimeout(timer);
            if (event === this.successType) resolve();
            else {
              this.intentional = true;
              socket.disconnect();
              reject(new Error(`refused: ${event}`));
            }
            return;
          }
          this.events.reply(m.rid, event.endsWith('success'), event, m.body);
        } else if (event === 'text') {
          const text = textOf(m.body);
          if (text !== undefined) this.events.text(m.id, text);
        }
      });
    });
  }

  request(type: string, fields: { tid: string; cid?: string; body?: unknown }): void {
    this.socket?.emit(type, fields);
  }

  private rawSocket(): { pause?: () => void; resume?: () => void } | undefined {
    // engine.io-client's websocket transport in Node wraps a `ws` WebSocket, which can stop reading.
    const transport = this.socket?.io.engine?.transport as unknown as {
      ws?: { pause?: () => void; resume?: () => void };
    };
    return transport?.ws;
  }

  pause(): void {
    this.rawSocket()?.pause?.();
  }

  resume(): void {
    this.rawSocket()?.resume?.();
  }

  terminate(): void {
    this.intentional = true;
    this.socket?.disconnect();
  }
}

export function createTransport(
  kind: ClientKind,
  url: string,
  spec: ClientSpec,
  events: TransportEvents,
): Transport {
  const { room, token } = spec;
  switch (kind) {
    case 'bws':
      return new WsTransport(url, { type: 'join', tid: 'hello', cid: room }, 'join:success', events);
    case 'bsio':
      return new SioTransport(url, { type: 'join', tid: 'hello', cid: room }, 'join:success', events);
    case 'pnative':
      return new WsTransport(
        url,
        { type: 'session:login', tid: 'hello', body: { token } },
        'session:success',
        events,
      );
    case 'prtc':
      return new SioTransport(
        url,
        { type: 'session:login', tid: 'hello', body: { token } },
        'session:success',
        events,
      );
    case 'xmpp':
      // The peers' users are named after the client key; the room is a MUC room of the same name.
      return new XmppTransport(url, spec.key, token ?? XMPP_PASSWORD, room, events);
  }
}
