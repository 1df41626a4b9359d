import type { PushedEvent } from '../../protocol/realtime.js';

/**
 * One pushed event, serialised at most once per transport however many sessions receive it: the native
 * transport sends the JSON object, the Stitch transport a socket.io EVENT packet around the same JSON.
 */
export class EncodedFrame {
  private jsonText: string | undefined;
  private stitchText: string | undefined;
  private jsonUtf8: Buffer | undefined;

  constructor(readonly event: PushedEvent) {}

  get json(): string {
    return (this.jsonText ??= JSON.stringify(this.event));
  }

  /** The JSON as UTF-8 bytes, so each recipient's socket gets the same buffer instead of re-encoding it. */
  get jsonBytes(): Buffer {
    return (this.jsonUtf8 ??= Buffer.from(this.json));
  }

  /** A socket.io v4/v5 EVENT packet for the default namespace: `2["<type>",<payload>]`. */
  get stitch(): string {
    return (this.stitchText ??= `2[${JSON.stringify(this.event.type)},${this.json}]`);
  }
}
