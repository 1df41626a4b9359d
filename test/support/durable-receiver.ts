import WebSocket from 'ws';

/**
 * A native-transport client that records the text events of one conversation and survives losing its node:
 * it reconnects (to whichever node `url()` names next), logs in again, and catches up from the last id it
 * saw. `ids` must end up exactly 1..N in order for the server's guarantees to hold.
 */
export class DurableReceiver {
  readonly ids: number[] = [];
  readonly texts: string[] = [];
  reconnects = 0;
  private lastId = 0;
  private ws: WebSocket | undefined;
  private stopped = false;
  private catchingUp = false;
  private buffered: { id: number; type: string; body: { text?: string } }[] = [];

  constructor(
    private readonly url: () => string,
    private readonly token: string,
    private readonly cid: string,
  ) {}

  start(): Promise<void> {
    return new Promise((resolve) => this.connect(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close();
  }

  private connect(onLoggedIn?: () => void): void {
    if (this.stopped) return;
    const ws = new WebSocket(`${this.url().replace(/^http/, 'ws')}/ws`);
    this.ws = ws;
    ws.on('open', () =>
      ws.send(JSON.stringify({ type: 'session:login', tid: 'login', body: { token: this.token } })),
    );
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (this.stopped) return;
      this.reconnects++;
      setTimeout(() => this.connect(), 100);
    });
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as {
        type: string;
        rid?: string;
        cid?: string;
        id?: number;
        body?: unknown;
      };
      if (m.rid === 'login') {
        if (m.type !== 'session:success') return;
        onLoggedIn?.();
        this.catchUp();
      } else if (m.rid === 'catchup') {
        this.catchingUp = false;
        for (const e of m.body as { id: number; type: string; body: { text?: string } }[]) this.take(e);
        const more = (m.body as unknown[]).length === 1000;
        const held = this.buffered;
        this.buffered = [];
        for (const e of held) this.take(e);
        if (more) this.catchUp();
      } else if (m.cid === this.cid && typeof m.id === 'number') {
        const event = m as { id: number; type: string; body: { text?: string } };
        if (this.catchingUp) this.buffered.push(event);
        else if (event.id > this.lastId + 1) {
          this.buffered.push(event);
          this.catchUp();
        } else this.take(event);
      }
    });
  }

  private catchUp(): void {
    this.catchingUp = true;
    this.ws?.send(
      JSON.stringify({
        type: 'conversation:events',
        tid: 'catchup',
        cid: this.cid,
        body: { start_id: this.lastId + 1, page_size: 1000 },
      }),
    );
  }

  private take(event: { id: number; type: string; body: { text?: string } }): void {
    if (event.id <= this.lastId) return;
    if (event.id > this.lastId + 1) {
      this.buffered.push(event);
      return;
    }
    this.accept(event);
    for (
      let i = this.buffered.findIndex((e) => e.id === this.lastId + 1);
      i >= 0;
      i = this.buffered.findIndex((e) => e.id === this.lastId + 1)
    ) {
      this.accept(this.buffered.splice(i, 1)[0]!);
    }
    this.buffered = this.buffered.filter((e) => e.id > this.lastId);
  }

  private accept(event: { id: number; type: string; body: { text?: string } }): void {
    this.lastId = event.id;
    if (event.type === 'text') {
      this.ids.push(event.id);
      this.texts.push(event.body.text ?? '');
    }
  }
}
