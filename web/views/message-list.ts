import { el, setAttr, setChildren } from '../dom.js';
import { formatTime, listNames } from '../format.js';

/** What the list needs to draw one message. */
export interface MessageModel {
  id: number;
  senderName: string;
  timestamp: string;
  text: string;
  own: boolean;
  deleted: boolean;
  /** Names of the others who have seen it (shown under one's own messages). */
  seenBy: readonly string[];
  /** Someone else's message this user has not marked seen yet. */
  unseen: boolean;
}

export interface MessageListHandlers {
  onDelete(id: number): void;
  /** The message scrolled into view while the page is visible. */
  onSeen(id: number): void;
}

const NEAR_BOTTOM_PX = 48;

/** `#messages`: one `.message` per event id, kept in id order, never duplicated. */
export class MessageList {
  private readonly items = new Map<number, HTMLLIElement>();
  private readonly inView = new Set<number>();
  private readonly awaitingSeen = new Set<number>();
  private readonly observer: IntersectionObserver;
  /** Whether the view follows the newest message: true until the reader scrolls up. */
  private pinned = true;

  constructor(
    private readonly root: HTMLOListElement,
    private readonly handlers: MessageListHandlers,
  ) {
    // Seen once a line's worth of it is inside the list (a tall message may never be 60% visible).
    this.observer = new IntersectionObserver((entries) => this.onIntersect(entries), {
      root,
      rootMargin: '-24px 0px',
      threshold: 0,
    });
    document.addEventListener('visibilitychange', () => this.flushSeen());
    root.addEventListener('scroll', () => (this.pinned = this.isNearBottom()), { passive: true });
    // The list also changes size when the composer grows or the window turns; stay at the bottom if there.
    new ResizeObserver(() => {
      if (this.pinned) this.scrollToBottom();
    }).observe(root);
  }

  clear(): void {
    this.observer.disconnect();
    this.items.clear();
    this.inView.clear();
    this.awaitingSeen.clear();
    this.pinned = true;
    setChildren(this.root, []);
  }

  /** While busy, screen readers hold back the live region (so loading history is not read out). */
  setBusy(busy: boolean): void {
    setAttr(this.root, 'aria-busy', busy ? 'true' : null);
  }

  has(id: number): boolean {
    return this.items.has(id);
  }

  /** Adds the message, or redraws it in place if it is already shown. */
  render(model: MessageModel): void {
    const stick = this.pinned || (model.own && !this.items.has(model.id));
    this.place(model);
    if (stick) this.scrollToBottom();
  }

  /** Adds older messages above the ones shown and scrolls to them, ending where the shown ones begin. */
  renderEarlier(models: readonly MessageModel[]): void {
    const previousFirst = this.root.firstElementChild;
    for (const model of models) this.place(model);
    if (!previousFirst) return this.scrollToBottom();
    const top = previousFirst.getBoundingClientRect().top - this.root.getBoundingClientRect().top;
    this.root.scrollTop += top - this.root.clientHeight + NEAR_BOTTOM_PX;
    this.pinned = this.isNearBottom();
  }

  scrollToBottom(): void {
    this.root.scrollTop = this.root.scrollHeight;
    this.pinned = true;
  }

  private place(model: MessageModel): void {
    const node = this.draw(model);
    const existing = this.items.get(model.id);
    if (existing) {
      const hadFocus = existing.contains(document.activeElement);
      this.observer.unobserve(existing);
      existing.replaceWith(node);
      // A receipt redraws the message; whoever was on its Delete button stays there (or on the list).
      if (hadFocus) (node.querySelector('button') ?? this.root).focus();
    } else {
      if (this.root.getAttribute('aria-busy') !== 'true') node.classList.add('message--arrived');
      this.root.insertBefore(node, this.nextSibling(model.id));
    }
    this.items.set(model.id, node);
    this.inView.delete(model.id);
    if (model.unseen) {
      this.awaitingSeen.add(model.id);
      this.observer.observe(node);
    } else {
      this.awaitingSeen.delete(model.id);
    }
  }

  private draw(m: MessageModel): HTMLLIElement {
    const time = formatTime(m.timestamp);
    const classes = ['message', m.own && 'message--own', m.deleted && 'message--deleted'].filter(Boolean);
    return el('li', { class: classes.join(' '), 'data-event-id': m.id }, [
      el('div', { class: 'message-meta' }, [
        el('span', { class: 'message-sender' }, m.senderName),
        el('time', { class: 'message-time', datetime: m.timestamp }, time),
      ]),
      el('p', { class: 'message-text' }, m.deleted ? 'message deleted' : m.text),
      m.own &&
        !m.deleted &&
        el('div', { class: 'message-footer' }, [
          m.seenBy.length > 0 && el('span', { class: 'message-seen' }, `Seen by ${listNames(m.seenBy)}`),
          this.deleteButton(m.id, time),
        ]),
    ]);
  }

  private deleteButton(id: number, time: string): HTMLButtonElement {
    const button = el('button', { class: 'message-delete', type: 'button' }, [
      'Delete',
      el('span', { class: 'visually-hidden' }, ` your message from ${time}`),
    ]);
    button.addEventListener('click', () => this.handlers.onDelete(id));
    return button;
  }

  /** The first shown message with a larger id: new messages normally go last, late history goes in place. */
  private nextSibling(id: number): Node | null {
    for (let node = this.root.lastElementChild; node; node = node.previousElementSibling) {
      const nodeId = Number((node as HTMLElement).dataset.eventId);
      if (nodeId < id) return node.nextSibling;
    }
    return this.root.firstChild;
  }

  private isNearBottom(): boolean {
    const { scrollHeight, scrollTop, clientHeight } = this.root;
    return scrollHeight - scrollTop - clientHeight < NEAR_BOTTOM_PX;
  }

  private onIntersect(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      const id = Number((entry.target as HTMLElement).dataset.eventId);
      if (entry.isIntersecting) this.inView.add(id);
      else this.inView.delete(id);
    }
    this.flushSeen();
  }

  private flushSeen(): void {
    if (document.visibilityState !== 'visible') return;
    for (const id of this.inView) {
      if (!this.awaitingSeen.delete(id)) continue;
      const node = this.items.get(id);
      if (node) this.observer.unobserve(node);
      this.handlers.onSeen(id);
    }
  }
}
