import { el, setChildren } from '../dom.js';

export interface ConversationModel {
  id: string;
  title: string;
  /** This user's membership; `undefined` when they have none. */
  state: 'JOINED' | 'INVITED' | 'LEFT' | undefined;
  /** Messages from others you have not seen yet. */
  unread: number;
}

export interface ConversationListHandlers {
  open(id: string): void;
  join(id: string): void;
  leave(id: string): void;
}

const STATE_TEXT: Record<NonNullable<ConversationModel['state']>, string> = {
  JOINED: 'Joined',
  INVITED: 'Invited',
  LEFT: 'Left',
};

/** `#conversation-list`: open buttons plus Join / Accept / Leave for each conversation. */
export function renderConversationList(
  root: HTMLUListElement,
  conversations: readonly ConversationModel[],
  selectedId: string | undefined,
  handlers: ConversationListHandlers,
): void {
  if (conversations.length === 0) {
    setChildren(root, el('li', { class: 'conversation-list-empty' }, 'No conversations yet.'));
    return;
  }
  const sorted = [...conversations].sort((a, b) => a.title.localeCompare(b.title));
  setChildren(
    root,
    sorted.map((c) => {
      const open = el('button', { class: 'conversation-open', type: 'button' }, [
        el('span', { class: 'conversation-name', title: c.title }, c.title),
        el('span', { class: 'conversation-state' }, c.state ? STATE_TEXT[c.state] : 'Not a member'),
        ...(c.unread > 0
          ? [
              el(
                'span',
                { class: 'conversation-unread', 'aria-label': `${c.unread} unread` },
                String(c.unread),
              ),
            ]
          : []),
      ]);
      open.addEventListener('click', () => handlers.open(c.id));
      return el(
        'li',
        {
          class: 'conversation-item',
          'data-conversation-id': c.id,
          'data-state': c.state ?? 'NONE',
          'aria-current': c.id === selectedId ? 'true' : null,
        },
        [open, actionButton(c, handlers)],
      );
    }),
  );
}

function actionButton(c: ConversationModel, handlers: ConversationListHandlers): HTMLButtonElement {
  const joined = c.state === 'JOINED';
  const label = joined ? 'Leave' : c.state === 'INVITED' ? 'Accept' : 'Join';
  const button = el(
    'button',
    { class: 'button button-small', type: 'button', 'data-action': label.toLowerCase() },
    [label, el('span', { class: 'visually-hidden' }, ` ${c.title}`)],
  );
  button.addEventListener('click', () => (joined ? handlers.leave(c.id) : handlers.join(c.id)));
  return button;
}
