import type { WebhookEventBody } from '../../protocol/webhooks.js';
import type { EventRecord, MemberRecord, UserRecord } from '../../store/records.js';

/** The sender behind an event's `from` member, when it still exists. */
export interface WebhookSender {
  member: MemberRecord;
  user: UserRecord | undefined;
}

/** An event as its application's receiver gets it; ephemeral events (typing) have no id. */
export function webhookPayload(
  applicationId: string,
  event: Pick<EventRecord, 'type' | 'conversationId' | 'from' | 'body' | 'timestamp'> & { id?: number },
  sender: WebhookSender | undefined,
): WebhookEventBody {
  const payload: WebhookEventBody = {
    type: event.type,
    conversation_id: event.conversationId,
    cid: event.conversationId,
    from: event.from,
    body: event.body,
    timestamp: event.timestamp,
    application_id: applicationId,
  };
  if (event.id !== undefined) payload.id = event.id;
  if (sender) {
    payload._embedded = { from_member: { id: sender.member.id, state: sender.member.state } };
    const user = sender.user;
    if (user) {
      payload._embedded.from_user = {
        id: user.id,
        name: user.name,
        display_name: user.displayName,
        image_url: user.imageUrl,
      };
    }
  }
  return payload;
}
