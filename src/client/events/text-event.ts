import type { PushedEvent } from '../../protocol/realtime.js';
import type { ConversationActions } from '../conversation-actions.js';
import { isRecord } from '../wire.js';
import { ConversationEvent } from './conversation-event.js';

export interface TextBody extends Record<string, unknown> {
  text: string;
}

export interface TextState {
  /** Member id → when they saw it. */
  seen_by: Record<string, string>;
  /** Member id → when it reached them. */
  delivered_to: Record<string, string>;
  /** When it was deleted; its text is then empty. */
  deleted?: string;
}

/** A text message. */
export class TextEvent extends ConversationEvent {
  declare id: number;
  declare body: TextBody;
  readonly state: TextState;
  private readonly receipts: ConversationActions;

  /** @internal Events are made by the SDK. */
  constructor(actions: ConversationActions, wire: PushedEvent) {
    const text = typeof wire.body.text === 'string' ? wire.body.text : '';
    super(actions, { ...wire, id: wire.id ?? 0, body: { ...wire.body, text } });
    this.receipts = actions;
    this.state = { seen_by: marks(wire.state?.seen_by), delivered_to: marks(wire.state?.delivered_to) };
    if (typeof wire.state?.deleted === 'string') this.state.deleted = wire.state.deleted;
  }

  /** Tells the other members you have seen this message. */
  seen(): Promise<void> {
    return this.receipts.sendReceipt('text:seen', this);
  }

  /** Tells the sender this message reached you; the SDK does this for every live message. */
  delivered(): Promise<void> {
    return this.receipts.sendReceipt('text:delivered', this);
  }
}

function marks(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(value)) for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}
