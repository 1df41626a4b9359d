import type { Directory } from '../../../core/directory.js';
import type { PushedEvent } from '../../../protocol/realtime.js';
import type { UserRecord } from '../../../store/records.js';
import { toMessageWords } from '../../vocabulary/chat-vocabulary.js';
import { generatedName } from '../../vocabulary/conversation-name.js';
import type { EncodedFrame } from '../encoded-frame.js';

/** `_embedded.from_user`, from which both SDKs take the sender's name. */
export interface V2User {
  id: string;
  name: string;
  display_name: string | null;
}

/** An event as both successor SDKs parse it off the socket (client-sdk-protocols.md §4.3). */
export interface V2PushedEvent {
  type: string;
  id?: number;
  cid: string;
  from: string | null;
  timestamp: string;
  body: Record<string, unknown>;
  state?: Record<string, unknown>;
  _embedded?: { from_member: { id: string }; from_user?: V2User };
}

/** Which words a session reads: nexmo-client keeps Stitch-era `text` as sent, the Vonage SDK needs `message`. */
export interface V2Vocabulary {
  keepText: boolean;
}

/** Sender lookups are few and members never change user, so a bounded map in front of the directory suffices. */
const MAX_CACHED_SENDERS = 10_000;

/** The Vonage SDK refuses a `member:invited` without `media.audio_settings`; chat members have no audio. */
const NO_MEDIA = { audio_settings: { enabled: false, muted: false, earmuffed: false } };

/**
 * Renders pushed events for `/v2/rtc`: the successor vocabulary, `cid` and `timestamp` always, and the
 * sender's member and user embedded. A fanned-out frame is rendered once per vocabulary, however many
 * sessions receive it.
 */
export class V2EventRenderer {
  private readonly senders = new Map<string, Promise<V2User | null>>();
  private readonly rendered = new WeakMap<EncodedFrame, Map<boolean, Promise<V2PushedEvent>>>();

  constructor(private readonly directory: Directory) {}

  renderFrame(frame: EncodedFrame, vocabulary: V2Vocabulary): Promise<V2PushedEvent> {
    let byVocabulary = this.rendered.get(frame);
    if (!byVocabulary) this.rendered.set(frame, (byVocabulary = new Map<boolean, Promise<V2PushedEvent>>()));
    let out = byVocabulary.get(vocabulary.keepText);
    if (!out) byVocabulary.set(vocabulary.keepText, (out = this.render(frame.event, vocabulary)));
    return out;
  }

  /** `fromUser` when the caller already has it (history); otherwise it is looked up. */
  async render(
    event: PushedEvent,
    vocabulary: V2Vocabulary,
    fromUser?: UserRecord | null,
  ): Promise<V2PushedEvent> {
    const words = toMessageWords(event.type, event.body, {
      keepText: vocabulary.keepText,
      stored: event.id !== undefined,
    });
    const out: V2PushedEvent = {
      type: words.type,
      cid: event.cid,
      from: event.from,
      timestamp: event.timestamp,
      body: words.type === 'member:invited' ? await this.invitation(event.cid, words.body) : words.body,
    };
    if (event.id !== undefined) out.id = event.id;
    if (event.state) out.state = event.state;
    if (event.from) {
      const user = fromUser === undefined ? await this.sender(event.from) : fromUser && toV2User(fromUser);
      out._embedded = user
        ? { from_member: { id: event.from }, from_user: user }
        : { from_member: { id: event.from } };
    }
    return out;
  }

  /** What the Vonage SDK requires of an invitation beyond Parley's member event body. */
  private async invitation(cid: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const conversation = await this.directory.conversation(cid);
    return {
      media: NO_MEDIA,
      ...body,
      conversation: {
        conversation_id: cid,
        name: conversation?.name ?? generatedName(cid),
        display_name: conversation?.displayName ?? null,
      },
    };
  }

  private sender(memberId: string): Promise<V2User | null> {
    let user = this.senders.get(memberId);
    if (!user) {
      if (this.senders.size >= MAX_CACHED_SENDERS) this.senders.clear();
      user = this.lookup(memberId);
      this.senders.set(memberId, user);
      // A failed lookup is not remembered.
      user.then((u) => u ?? this.senders.delete(memberId)).catch(() => this.senders.delete(memberId));
    }
    return user;
  }

  private async lookup(memberId: string): Promise<V2User | null> {
    const member = await this.directory.member(memberId);
    const user = member ? await this.directory.user(member.userId) : undefined;
    return user ? toV2User(user) : null;
  }
}

export const toV2User = (user: UserRecord): V2User => ({
  id: user.id,
  name: user.name,
  display_name: user.displayName,
});
