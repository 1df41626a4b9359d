import type { PushedEvent } from '../../protocol/realtime.js';

/**
 * One pushed event, serialised at most once per transport however many sessions receive it: the native
 * transport sends the JSON object, the Stitch transport a socket.io EVENT packet around the same JSON.
 */
export class EncodedFrame {
  private jsonText: string | undefined;
  private stitchText: string | undefined;
  private wsText: Buffer | undefined;
  private stitchOptions: { compress: false; wsPreEncodedFrame: Buffer[] } | undefined;

  constructor(readonly event: PushedEvent) {}

  get json(): string {
    return (this.jsonText ??= JSON.stringify(this.event));
  }

  /**
   * The JSON as one complete WebSocket text frame. Frames from a server are never masked, so header and
   * payload are the same bytes for every recipient: each socket gets a single write of this buffer.
   */
  get wsFrame(): Buffer {
    return (this.wsText ??= textFrame(this.json));
  }

  /** A socket.io v4/v5 EVENT packet for the default namespace: `2["<type>",<payload>]`. */
  get stitch(): string {
    return (this.stitchText ??= `2[${JSON.stringify(this.event.type)},${this.json}]`);
  }

  /**
   * engine.io's send options for that packet: over WebSocket engine.io writes `wsPreEncodedFrame`, the
   * packet as an engine.io message (`4…`, the same in EIO 3 and 4) in one finished frame, as socket.io's own
   * broadcasts hand it; polling ignores it. One object serves every recipient, as in those broadcasts.
   */
  get stitchSendOptions(): { compress: false; wsPreEncodedFrame: Buffer[] } {
    return (this.stitchOptions ??= { compress: false, wsPreEncodedFrame: [textFrame(`4${this.stitch}`)] });
  }
}

/** RFC 6455 §5.2: FIN + text opcode, no mask, and the payload length in 7, 16 or 64 bits. */
function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.write(text, headerLength);
  return frame;
}
