import type { MemberView } from '../../../core/views.js';
import type { Links } from '../../../protocol/rest.js';
import type { ConversationRecord, MemberRecord } from '../../../store/records.js';
import type { ChatWords } from '../../vocabulary/chat-vocabulary.js';

/**
 * One of the REST dialects the successor SDKs speak. The routes are shared; a dialect says where they live
 * and renders the envelopes its SDK parses (client-sdk-protocols.md §1.4-1.6, §2.3-2.4).
 */
export interface Dialect {
  /** `/v0.3`, `/beta`, …: the routes are served under it. */
  readonly prefix: string;
  /** Whether `GET conversations/:id` embeds every member (nexmo-client's `/beta` does; its reply is read whole). */
  readonly embedsMembers: boolean;
  page(resource: string, items: unknown[], pageSize: number, links: Links): Record<string, unknown>;
  conversation(
    conversation: ConversationRecord,
    me: MemberRecord | undefined,
    members?: MemberView[],
  ): Record<string, unknown>;
  /** One entry of `GET users/:id/conversations`. */
  membership(conversation: ConversationRecord, member: MemberRecord): Record<string, unknown>;
  /** The words an event is shown in, from the words it was stored in. */
  words(type: string, body: Record<string, unknown>): ChatWords;
}
