import type { EncodedFrame } from './encoded-frame.js';

/** What a realtime session needs from its transport. */
export interface Connection {
  readonly transport: 'native' | 'stitch' | 'v2';
  /** Remote address, for logs. */
  readonly remote: string;
  /** Sends a reply or a notice, serialised for this one connection. */
  send(message: { type: string } & Record<string, unknown>): void;
  /** Sends a fanned-out event, serialised once for all its recipients. */
  sendFrame(frame: EncodedFrame): void;
  close(code: number, reason: string): void;
}
