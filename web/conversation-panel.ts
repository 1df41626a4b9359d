import { TextEvent, type Conversation, type ConversationEvents, type Member } from '../src/client/index.js';
import { byId, el, setChildren } from './dom.js';
import { describeError } from './errors.js';
import { Composer } from './views/composer.js';
import { renderMembers } from './views/member-list.js';
import { MessageList, type MessageModel } from './views/message-list.js';
import { TypingIndicator } from './views/typing-indicator.js';

export interface ConversationPanelHost {
  /** The logged-in user's id. */
  userId(): string;
  showError(message: string): void;
  /** Joins (or accepts an invitation to) the conversation. */
  join(conversation: Conversation): void;
  /** Your membership changed: the conversation list needs redrawing. */
  membershipChanged(): void;
}

const EARLIER_PAGE_SIZE = 50;

/** The open conversation: its messages, composer, typing line and member list. */
export class ConversationPanel {
  private conversation: Conversation | null = null;
  private unsubscribe: (() => void)[] = [];
  private readonly title = byId('conversation-title');
  private readonly actions = byId('conversation-actions');
  private readonly empty = byId('conversation-empty');
  private readonly messagesRoot = byId<HTMLOListElement>('messages');
  private readonly loadEarlier = byId<HTMLButtonElement>('load-earlier');
  private readonly membersRoot = byId<HTMLUListElement>('members');
  private readonly inviteForm = byId<HTMLFormElement>('invite');
  private readonly inviteName = byId<HTMLInputElement>('invite-name');
  private readonly messages: MessageList;
  private readonly typing = new TypingIndicator(byId('typing'));
  private readonly composer: Composer;

  constructor(private readonly host: ConversationPanelHost) {
    this.messages = new MessageList(this.messagesRoot, {
      onDelete: (id) => void this.deleteMessage(id),
      onSeen: (id) => this.markSeen(id),
    });
    this.composer = new Composer(
      byId<HTMLFormElement>('composer-form'),
      byId<HTMLTextAreaElement>('composer'),
      byId<HTMLButtonElement>('send'),
      { send: (text) => this.send(text), typing: (active) => this.sendTyping(active) },
    );
    this.loadEarlier.addEventListener('click', () => void this.fetchEarlier());
    this.inviteForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.invite();
    });
    this.close();
  }

  get current(): Conversation | null {
    return this.conversation;
  }

  /** Shows a conversation whose members and history are loaded. */
  open(conversation: Conversation): void {
    this.detach();
    this.conversation = conversation;
    this.messagesRoot.hidden = false;
    this.empty.hidden = true;
    this.subscribe(conversation);
    this.messages.setBusy(true);
    this.messages.clear();
    for (const event of conversation.events.values()) {
      if (event instanceof TextEvent) this.messages.render(this.model(event));
    }
    this.messages.setBusy(false);
    this.messages.scrollToBottom();
    this.refresh();
  }

  /** Shows a conversation that could not be loaded (you are invited, or have left). */
  openUnavailable(conversation: Conversation, reason: string): void {
    this.detach();
    this.conversation = conversation;
    this.messages.clear();
    this.messagesRoot.hidden = true;
    this.empty.hidden = false;
    this.empty.textContent = reason;
    this.refresh();
  }

  close(): void {
    this.detach();
    this.conversation = null;
    this.messages.clear();
    this.messagesRoot.hidden = true;
    this.loadEarlier.hidden = true;
    this.empty.hidden = false;
    this.empty.textContent = 'Pick a conversation from the list or create one.';
    this.title.textContent = 'No conversation selected';
    setChildren(this.actions, []);
    setChildren(this.membersRoot, []);
    this.inviteForm.hidden = true;
    this.composer.setEnabled(false, 'Pick a conversation first');
  }

  /** Whether this conversation is open with its history shown. */
  showsHistory(id: string): boolean {
    return this.conversation?.id === id && !this.messagesRoot.hidden;
  }

  focusComposer(): void {
    this.composer.focus();
  }

  /** Redraws everything that depends on membership and presence (after a reconnect, a join, a leave). */
  refresh(): void {
    const c = this.conversation;
    if (!c) return;
    this.title.textContent = titleOf(c);
    const state = c.me?.state;
    const joined = state === 'JOINED';
    this.composer.setEnabled(
      joined && !this.messagesRoot.hidden,
      joined ? undefined : 'Join this conversation to send messages',
    );
    this.inviteForm.hidden = !joined;
    setChildren(this.actions, joined ? [] : this.joinButton(c, state === 'INVITED' ? 'Accept' : 'Join'));
    this.loadEarlier.hidden = this.messagesRoot.hidden || oldestId(c) <= 1;
    this.renderMembers();
  }

  private joinButton(c: Conversation, label: string): HTMLButtonElement {
    const button = el('button', { class: 'button button-primary button-small', type: 'button' }, label);
    button.addEventListener('click', () => this.host.join(c));
    return button;
  }

  private subscribe(c: Conversation): void {
    this.listen(c, 'text', (sender, event) => {
      if (sender) this.typing.stop(sender.id);
      this.messages.render(this.model(event));
    });
    this.listen(c, 'text:seen', (_sender, event) => this.redraw(event));
    this.listen(c, 'event:delete', (_sender, event) => this.redraw(event));
    this.listen(c, 'text:typing:on', (sender) => {
      if (sender && !this.isMine(sender)) this.typing.start(sender.id, nameOf(sender));
    });
    this.listen(c, 'text:typing:off', (sender) => {
      if (sender) this.typing.stop(sender.id);
    });
    const membersChanged = (member: Member): void => {
      if (member.state !== 'JOINED') this.typing.stop(member.id);
      this.refresh();
      if (this.isMine(member)) this.host.membershipChanged();
    };
    this.listen(c, 'member:joined', membersChanged);
    this.listen(c, 'member:invited', membersChanged);
    this.listen(c, 'member:left', membersChanged);
    this.listen(c, 'presence:update', () => this.renderMembers());
    this.listen(c, 'conversation:deleted', () => {
      this.close();
      this.empty.textContent = 'This conversation was deleted.';
      this.host.membershipChanged();
    });
  }

  private listen<K extends keyof ConversationEvents>(
    c: Conversation,
    type: K,
    listener: (...args: ConversationEvents[K]) => void,
  ): void {
    c.on(type, listener);
    this.unsubscribe.push(() => c.off(type, listener));
  }

  private detach(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.typing.clear();
  }

  private redraw(event: unknown): void {
    if (event instanceof TextEvent && this.messages.has(event.id)) this.messages.render(this.model(event));
  }

  private model(event: TextEvent): MessageModel {
    const c = this.conversation;
    const members = c?.members;
    const sender = event.from ? members?.get(event.from) : undefined;
    const own = sender !== undefined && this.isMine(sender);
    const me = c?.me;
    const seenBy = own
      ? [...new Set(Object.keys(event.state.seen_by).map((id) => members?.get(id)))]
          .filter((m): m is Member => m !== undefined && !this.isMine(m))
          .map(nameOf)
      : [];
    const deleted = event.state.deleted !== undefined;
    return {
      id: event.id,
      senderName: sender ? nameOf(sender) : 'Someone',
      timestamp: event.timestamp,
      text: event.body.text,
      own,
      deleted,
      seenBy: [...new Set(seenBy)],
      unseen: !own && !deleted && me?.state === 'JOINED' && event.state.seen_by[me.id] === undefined,
    };
  }

  private isMine(member: Member): boolean {
    return member.user.id === this.host.userId();
  }

  private renderMembers(): void {
    const c = this.conversation;
    if (!c) return;
    renderMembers(
      this.membersRoot,
      [...c.members.values()].map((m) => ({
        id: m.id,
        name: nameOf(m),
        online: m.online,
        state: m.state,
        me: this.isMine(m),
      })),
    );
  }

  private async send(text: string): Promise<boolean> {
    const c = this.conversation;
    if (!c) return false;
    try {
      const event = await c.sendText(text);
      // Normally the pushed copy is already shown; this covers it arriving later.
      if (this.conversation === c && !this.messages.has(event.id)) this.messages.render(this.model(event));
      return true;
    } catch (error) {
      this.host.showError(describeError(error, 'send your message'));
      return false;
    }
  }

  private sendTyping(active: boolean): void {
    const c = this.conversation;
    if (!c?.me) return;
    // Typing is a courtesy: a failure is not worth interrupting anyone for.
    (active ? c.startTyping() : c.stopTyping()).catch(() => undefined);
  }

  private markSeen(id: number): void {
    const event = this.conversation?.events.get(id);
    if (!(event instanceof TextEvent)) return;
    // A receipt that fails (already seen from another tab, or offline) is not worth interrupting anyone for.
    event.seen().catch(() => undefined);
  }

  private async deleteMessage(id: number): Promise<void> {
    const event = this.conversation?.events.get(id);
    if (!event || !window.confirm('Delete this message for everyone?')) return;
    try {
      await event.del();
    } catch (error) {
      this.host.showError(describeError(error, 'delete the message'));
    }
  }

  private async fetchEarlier(): Promise<void> {
    const c = this.conversation;
    if (!c) return;
    const before = oldestId(c);
    this.loadEarlier.disabled = true;
    try {
      const page = await c.getEvents({ end_id: before - 1, order: 'desc', page_size: EARLIER_PAGE_SIZE });
      if (this.conversation !== c) return;
      const earlier = [...page.values()].filter((e): e is TextEvent => e instanceof TextEvent);
      this.messages.renderEarlier(earlier.map((e) => this.model(e)));
      this.loadEarlier.hidden = page.size === 0 || oldestId(c) <= 1;
      // The button goes once everything is loaded; keep keyboard focus nearby rather than on the page.
      if (this.loadEarlier.hidden) this.messagesRoot.focus();
    } catch (error) {
      this.host.showError(describeError(error, 'load earlier messages'));
    } finally {
      this.loadEarlier.disabled = false;
    }
  }

  private async invite(): Promise<void> {
    const c = this.conversation;
    const name = this.inviteName.value.trim();
    if (!c || name === '') return;
    try {
      await c.invite({ user_name: name });
      this.inviteName.value = '';
      this.renderMembers();
    } catch (error) {
      this.host.showError(describeError(error, `invite ${name}`));
    }
  }
}

export function titleOf(c: Conversation): string {
  return c.display_name || c.name || c.id;
}

function nameOf(member: Member): string {
  return member.user.display_name || member.user.name || 'Someone';
}

/** The smallest event id loaded; history starts at 1. */
function oldestId(c: Conversation): number {
  const first = c.events.keys().next();
  return first.done ? 1 : first.value;
}
