import type { EncodedFrame } from './encoded-frame.js';

/** A reply or notice for one connection: `type` first, the rest as the transport frames it. */
export type OutboundMessage = { type: string } & Record<string, unknown>;

/** What a realtime session needs from its transport; a transport adapts its socket to this and nothing more. */
export interface Connection {
  /** Remote address, for logs. */
  readonly remote: string;
  /**
   * Whether this connection's clients understand pushed events of `type` (the Stitch SDK has no
   * `presence:update`); fan-out of ephemeral events skips connections that say no.
   */
  accepts(type: string): boolean;
  /** Sends a reply or a notice, serialised for this one connection. */
  send(message: OutboundMessage): void;
  /** Sends a fanned-out event, serialised once for all its recipients. */
  sendFrame(frame: EncodedFrame): void;
  close(code: number, reason: string): void;
}
