import WebSocket from 'ws';

/**
 * A native-transport client that sends numbered texts with client references and survives server deaths:
 * it reconnects, logs in again and resends everything not yet acknowledged, with the same references.
 */
export class DurableSender {
  readonly acked = new Map<string, number>();
  private ws: WebSocket | undefined;
  private readonly inflight = new Map<string, string>();
  private nextTid = 0;
  private stopped = false;
  private loggedIn = false;
  private queue: string[] = [];
  private paused = false;
  /** Called by the acknowledgement that completes the run. */
  private allAcked: () => void = () => undefined;
  private expected = 0;

  constructor(
    private readonly urls: () => string,
    private readonly token: string,
    private readonly cid: string,
    private readonly window = 10,
  ) {}

  /** Sends `refs` (used as both text and client reference) and resolves when all are acknowledged. */
  async run(refs: string[]): Promise<void> {
    this.queue = [...refs];
    this.expected = refs.length;
    const done = new Promise<void>((resolve) => (this.allAcked = resolve));
    this.connect();
    await done;
    this.stopped = true;
    this.ws?.close();
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(`${this.urls().replace(/^http/, 'ws')}/ws`);
    this.ws = ws;
    this.loggedIn = false;
    ws.on('open', () =>
      ws.send(JSON.stringify({ type: 'session:login', tid: 'login', body: { token: this.token } })),
    );
    ws.on('message', (data) =>
      this.onMessage(JSON.parse(data.toString()) as Parameters<DurableSender['onMessage']>[0]),
    );
    ws.on('error', () => undefined);
    ws.on('close', () => {
      // Everything unacknowledged goes back to the front of the queue, to be resent with the same reference.
      this.queue.unshift(...this.inflight.values());
      this.inflight.clear();
      if (!this.stopped) setTimeout(() => this.connect(), 100);
    });
  }

  private onMessage(m: { type: string; rid?: string; body?: { id?: number; retry_after?: number } }): void {
    if (m.rid === 'login') {
      this.loggedIn = m.type === 'session:success';
      if (this.loggedIn) this.pump();
      return;
    }
    if (m.rid === undefined || m.rid === null) return;
    const ref = this.inflight.get(m.rid);
    if (ref === undefined) return;
    this.inflight.delete(m.rid);
    if (m.type === 'text:success' && typeof m.body?.id === 'number') {
      this.acked.set(ref, m.body.id);
      if (this.acked.size >= this.expected) this.allAcked();
    } else {
      this.queue.push(ref);
      // A refusal says when to try again, as a real client would honour it.
      if (!this.paused) {
        this.paused = true;
        setTimeout(
          () => {
            this.paused = false;
            this.pump();
          },
          (m.body?.retry_after ?? 0.05) * 1000,
        );
      }
    }
    this.pump();
  }

  private pump(): void {
    while (
      this.loggedIn &&
      !this.paused &&
      this.inflight.size < this.window &&
      this.queue.length > 0 &&
      this.ws?.readyState === WebSocket.OPEN
    ) {
      const ref = this.queue.shift()!;
      if (this.acked.has(ref)) continue;
      const tid = `t${this.nextTid++}`;
      this.inflight.set(tid, ref);
      this.ws.send(
        JSON.stringify({ type: 'text', tid, cid: this.cid, body: { text: ref }, client_ref: ref }),
      );
    }
  }
}
