import WebSocket from 'ws';
import type { Transport, TransportEvents } from './transports.js';

/** The XMPP domain and MUC service both peers are configured with (bench/lib/peers/*). */
export const XMPP_DOMAIN = 'bench';
export const MUC_DOMAIN = `conference.${XMPP_DOMAIN}`;
/** Every bench user's password (users are registered by the bench, on loopback only). */
export const XMPP_PASSWORD = 'bench-password';

const FRAMING = 'urn:ietf:params:xml:ns:xmpp-framing';
const MAM = 'urn:xmpp:mam:2';

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const unescapeXml = (s: string): string =>
  s.includes('&')
    ? s
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, '&')
    : s;

/** The text between `<tag ...>` and `</tag>` in `xml`, or undefined. Stanzas here are small and flat. */
function childText(xml: string, tag: string): string | undefined {
  const open = xml.indexOf(`<${tag}`);
  if (open < 0) return undefined;
  const gt = xml.indexOf('>', open);
  if (gt < 0 || xml[gt - 1] === '/') return undefined;
  const close = xml.indexOf(`</${tag}>`, gt);
  return close < 0 ? undefined : unescapeXml(xml.slice(gt + 1, close));
}

function attr(xml: string, name: string): string | undefined {
  const end = xml.indexOf('>');
  const head = end < 0 ? xml : xml.slice(0, end);
  const m = new RegExp(`\\s${name}=(?:"([^"]*)"|'([^']*)')`).exec(head);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The room's archive id on a live groupchat message: `<stanza-id by="room@service" id="…"/>` (XEP-0359). */
function archiveIdOf(s: string): string | undefined {
  const at = s.indexOf('<stanza-id');
  if (at < 0) return undefined;
  const tag = s.slice(at, s.indexOf('>', at) + 1);
  return attr(`${tag}>`, 'id');
}

type Stage = 'connect' | 'auth' | 'restart' | 'bind' | 'join' | 'open';

/**
 * XMPP over WebSocket (RFC 7395), as the ejabberd and Prosody peers speak it: `<open/>`, SASL PLAIN, a
 * stream restart, resource binding, then joining the client's MUC room with presence (no join history:
 * like Parley's clients, a bench client asks for the archive only when it wants it). Texts go out as
 * `groupchat` messages whose body carries the bench's `publisher|seq|phase|due`; the room reflects each to
 * every occupant, the sender included, as Parley echoes. One stanza per frame, so presence frames are
 * recognised by their first bytes and never parsed.
 */
export class XmppTransport implements Transport {
  private ws: WebSocket | undefined;
  private intentional = false;
  private stage: Stage = 'connect';
  private nextQuery = 0;
  private archiveQuery: string | undefined;
  private archiveSink: ((text: string) => void) | undefined;
  private archiveDone: ((e?: Error) => void) | undefined;

  constructor(
    /** The peer's full WebSocket URL, e.g. `ws://127.0.0.1:5280/ws`. */
    private readonly url: string,
    private readonly user: string,
    private readonly password: string,
    private readonly room: string,
    private readonly events: TransportEvents,
  ) {}

  get isOpen(): boolean {
    return this.stage === 'open' && this.ws?.readyState === WebSocket.OPEN;
  }

  open(timeoutMs: number): Promise<void> {
    this.stage = 'connect';
    this.intentional = false;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, 'xmpp', { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      this.ws = ws;
      let settled = false;
      const timer = setTimeout(() => fail(new Error(`login timed out at ${this.stage}`)), timeoutMs);
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.intentional = true;
        ws.terminate();
        reject(e);
      };
      const openStream = () =>
        ws.send(`<open xmlns="${FRAMING}" to="${XMPP_DOMAIN}" version="1.0" xml:lang="en"/>`);
      ws.on('open', () => {
        this.stage = 'auth';
        openStream();
      });
      ws.on('error', (e) => fail(e));
      ws.on('close', (code) => {
        const done = this.archiveDone;
        this.archiveQuery = this.archiveSink = this.archiveDone = undefined;
        done?.(new Error(`closed ${code} during an archive query`));
        if (!settled) fail(new Error(`closed ${code} during ${this.stage}`));
        else if (!this.intentional) this.events.closed(`close ${code}`);
      });
      ws.on('message', (data: Buffer) => {
        const s = data.toString();
        if (this.stage === 'open') {
          if (s.startsWith('<presence')) return;
          if (s.startsWith('<message')) this.onMessage(s);
          else if (s.startsWith('<iq')) this.onIq(s);
          else if (s.startsWith('<close')) this.ws?.close();
          return;
        }
        if (s.startsWith('<open')) return;
        if (s.includes('<failure') || s.includes('stream:error') || s.includes('<stream-error')) {
          fail(new Error(`refused during ${this.stage}: ${s.slice(0, 300)}`));
          return;
        }
        switch (this.stage) {
          case 'auth':
            if (!s.includes('features')) return;
            ws.send(
              `<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">${Buffer.from(
                `\0${this.user}\0${this.password}`,
              ).toString('base64')}</auth>`,
            );
            this.stage = 'restart';
            return;
          case 'restart':
            if (!s.startsWith('<success')) return;
            this.stage = 'bind';
            openStream();
            return;
          case 'bind':
            if (s.includes('features'))
              ws.send(
                '<iq xmlns="jabber:client" type="set" id="bind"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></iq>',
              );
            else if (s.startsWith('<iq') && attr(s, 'id') === 'bind') {
              if (attr(s, 'type') !== 'result') return fail(new Error(`bind refused: ${s.slice(0, 300)}`));
              this.stage = 'join';
              ws.send(
                `<presence xmlns="jabber:client" to="${this.room}@${MUC_DOMAIN}/${escapeXml(this.user)}"><x xmlns="http://jabber.org/protocol/muc"><history maxstanzas="0"/></x></presence>`,
              );
            }
            return;
          case 'join':
            if (!s.startsWith('<presence')) return;
            if (attr(s, 'type') === 'error') return fail(new Error(`join refused: ${s.slice(0, 300)}`));
            // The room's presence for this very occupant (status 110) ends the join.
            if (s.includes('code="110"') || s.includes("code='110'")) {
              this.stage = 'open';
              settled = true;
              clearTimeout(timer);
              resolve();
            }
            return;
        }
      });
    });
  }

  private onMessage(s: string): void {
    const type = attr(s, 'type');
    if (type === 'groupchat') {
      const body = childText(s, 'body');
      if (body === undefined) return;
      const sid = archiveIdOf(s);
      if (sid !== undefined) this.events.archived?.(sid);
      this.events.text(undefined, body);
    } else if (s.includes('<result') && s.includes(MAM)) {
      // An archived message, forwarded inside a result of our query.
      const result = s.slice(s.indexOf('<result'));
      const id = attr(result, 'id');
      const body = childText(result, 'body');
      if (id !== undefined) this.events.archived?.(id);
      if (body !== undefined) this.archiveSink?.(body);
    } else if (type === 'error') {
      this.events.reply(attr(s, 'id') ?? '', false, `xmpp-error`, s.slice(0, 300));
    }
  }

  private onIq(s: string): void {
    const id = attr(s, 'id');
    if (id === undefined || id !== this.archiveQuery) return;
    this.archiveQuery = undefined;
    this.archiveSink = undefined;
    const done = this.archiveDone;
    this.archiveDone = undefined;
    done?.(attr(s, 'type') === 'result' ? undefined : new Error(`archive query refused: ${s.slice(0, 300)}`));
  }

  /**
   * MAM (XEP-0313) on the room: every archived message after `after`, up to 1,000 (a bench client misses
   * one or two), delivered in archive order before the final `<fin/>`.
   */
  fetchArchive(after: string | undefined, onText: (text: string) => void): Promise<void> {
    if (this.archiveQuery !== undefined) return Promise.reject(new Error('an archive query is in flight'));
    const id = `mam${this.nextQuery++}`;
    this.archiveQuery = id;
    this.archiveSink = onText;
    return new Promise((resolve, reject) => {
      this.archiveDone = (e) => (e ? reject(e) : resolve());
      this.ws?.send(
        `<iq xmlns="jabber:client" type="set" id="${id}" to="${this.room}@${MUC_DOMAIN}"><query xmlns="${MAM}" queryid="${id}"><set xmlns="http://jabber.org/protocol/rsm"><max>1000</max>${after === undefined ? '' : `<after>${escapeXml(after)}</after>`}</set></query></iq>`,
      );
    });
  }

  request(type: string, fields: { tid: string; cid?: string; body?: unknown }): void {
    if (type !== 'text') throw new Error(`XMPP load clients only send texts, not ${type}`);
    const body = fields.body as { text?: unknown } | undefined;
    const text = typeof body?.text === 'string' ? body.text : '';
    this.ws?.send(
      `<message xmlns="jabber:client" to="${fields.cid ?? this.room}@${MUC_DOMAIN}" type="groupchat" id="${fields.tid}"><body>${escapeXml(text)}</body></message>`,
    );
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
