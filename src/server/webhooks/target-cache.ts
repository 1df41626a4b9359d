import type { WebhookOutbox } from '../../store/webhook-outbox.js';
import type { WebhookTarget } from '../../store/webhook-records.js';

/** How long a conversation's target is remembered: ephemeral events and commits may come many a second. */
const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/** Where each conversation's webhooks go, remembered briefly so that busy conversations cost no reads. */
export class TargetCache {
  private readonly entries = new Map<string, { target: WebhookTarget | undefined; until: number }>();

  constructor(
    private readonly outbox: WebhookOutbox,
    private readonly now: () => number,
  ) {}

  /** The target, read afresh (and remembered) unless `cached` allows a recent answer. */
  async get(conversationId: string, cached: boolean): Promise<WebhookTarget | undefined> {
    const now = this.now();
    const known = this.entries.get(conversationId);
    if (cached && known && known.until > now) return known.target;
    const target = await this.outbox.targetOfConversation(conversationId);
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(conversationId, { target, until: now + TTL_MS });
    return target;
  }

  /** Whether the conversation was seen lately to have no target: its commits need no look. */
  knownAbsent(conversationId: string): boolean {
    const known = this.entries.get(conversationId);
    return known !== undefined && known.until > this.now() && known.target === undefined;
  }
}
