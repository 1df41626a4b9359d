import { toMessageWords } from '../../vocabulary/chat-vocabulary.js';
import type { Dialect } from './dialect.js';
import { conversationFields, memberSummary, renderMember } from './dialect-shapes.js';

/**
 * `/v0.3` (and `/v0.2`, which the Vonage SDK uses only to leave and refresh a session): pages are
 * `_embedded.<resource>`, events are in the `message` vocabulary, since the Vonage SDK ignores `text`.
 */
function v3Dialect(prefix: string): Dialect {
  return {
    prefix,
    embedsMembers: false,
    page: (resource, items, pageSize, links) => ({
      page_size: pageSize,
      _embedded: { [resource]: items },
      _links: links,
    }),
    conversation: (conversation, me, members) => {
      const out = conversationFields(conversation);
      if (me) out._embedded = { member: memberSummary(me) };
      if (members) out.members = members.map(renderMember);
      return out;
    },
    membership: (conversation, member) => ({
      ...conversationFields(conversation),
      _embedded: { member: memberSummary(member) },
    }),
    words: (type, body) => toMessageWords(type, body, { keepText: false, stored: true }),
  };
}

export const V03_DIALECT = v3Dialect('/v0.3');
export const V02_DIALECT = v3Dialect('/v0.2');
