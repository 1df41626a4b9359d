import { webhookPayload, type WebhookSender as Sender } from '../../core/webhooks/webhook-payload.js';
import type { WebhookSigner } from '../../core/webhooks/webhook-signer.js';
import { ATTEMPT_HEADER, DELIVERY_ID_HEADER } from '../../protocol/webhooks.js';
import type { Store } from '../../store/store.js';
import type { WebhookTarget } from '../../store/webhook-records.js';
import type { WebhookMetrics } from './webhook-metrics.js';
import type { Attempt, WebhookSender } from './webhook-sender.js';

/** An event as a webhook carries it: stored events have an id, ephemeral ones do not. */
export type WebhookEvent = Parameters<typeof webhookPayload>[1];

/** Senders already looked up, by member id, for the events of one batch. */
export type SenderCache = Map<string, Promise<Sender | undefined>>;

/** Builds, signs and POSTs one webhook: the payload with its sender embedded, the JWT, the delivery headers. */
export class WebhookPoster {
  constructor(
    private readonly store: Store,
    private readonly signer: WebhookSigner,
    private readonly sender: WebhookSender,
    private readonly metrics: WebhookMetrics,
    private readonly now: () => number,
  ) {}

  async post(
    target: WebhookTarget,
    event: WebhookEvent,
    delivery: { id: string; attempt: number },
    senders: SenderCache = new Map(),
  ): Promise<Attempt> {
    const sender = event.from === null ? undefined : await this.senderOf(event.from, senders);
    const body = JSON.stringify(webhookPayload(target.applicationId, event, sender));
    const headers = {
      authorization: await this.signer.authorization(target.applicationId, body, this.now()),
      [DELIVERY_ID_HEADER]: delivery.id,
      [ATTEMPT_HEADER]: String(delivery.attempt),
    };
    const started = performance.now();
    const attempt = await this.sender.send({ url: target.url, headers, body });
    this.metrics.latency.observe((performance.now() - started) / 1000);
    return attempt;
  }

  private senderOf(memberId: string, senders: SenderCache): Promise<Sender | undefined> {
    let found = senders.get(memberId);
    if (!found) {
      found = this.store.getMember(memberId).then(async (member) => {
        if (!member) return undefined;
        return { member, user: await this.store.getUser(member.userId) };
      });
      senders.set(memberId, found);
    }
    return found;
  }
}
