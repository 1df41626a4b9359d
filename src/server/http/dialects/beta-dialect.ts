import type { Dialect } from './dialect.js';
import { conversationFields, renderMember } from './dialect-shapes.js';

/**
 * `/beta` and `/beta2`, nexmo-client's: pages are `_embedded.data.<resource>`; a conversation carries `uuid`
 * (renamed to `id` by the client) and its members; the user's conversations carry `member_id` and the
 * member's `state`. Events are shown as stored: nexmo-client understands `text` and `message` alike.
 */
function betaDialect(prefix: string): Dialect {
  return {
    prefix,
    embedsMembers: true,
    page: (resource, items, pageSize, links) => ({
      page_size: pageSize,
      _embedded: { data: { [resource]: items } },
      _links: links,
    }),
    conversation: (conversation, me, members) => {
      const out: Record<string, unknown> = { ...conversationFields(conversation), uuid: conversation.id };
      if (me) {
        out.member_id = me.id;
        out.state = me.state;
      }
      if (members) out.members = members.map(renderMember);
      return out;
    },
    membership: (conversation, member) => ({
      ...conversationFields(conversation),
      member_id: member.id,
      state: member.state,
    }),
    words: (type, body) => ({ type, body }),
  };
}

export const BETA_DIALECT = betaDialect('/beta');
export const BETA2_DIALECT = betaDialect('/beta2');
