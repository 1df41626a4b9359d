import { el, setChildren } from '../dom.js';

export interface MemberModel {
  id: string;
  name: string;
  online: boolean;
  state: 'JOINED' | 'INVITED' | 'LEFT';
  me: boolean;
}

const STATE_LABEL: Record<MemberModel['state'], string> = { JOINED: '', INVITED: 'invited', LEFT: 'left' };

/** `#members`: joined members first, then invited; each `.member` with `data-online`. */
export function renderMembers(root: HTMLUListElement, members: readonly MemberModel[]): void {
  const shown = members
    .filter((m) => m.state !== 'LEFT')
    .sort((a, b) => (a.state === b.state ? a.name.localeCompare(b.name) : a.state === 'JOINED' ? -1 : 1));
  setChildren(
    root,
    shown.map((m) =>
      el('li', { class: 'member', 'data-online': String(m.online), 'data-member-id': m.id }, [
        el('span', { class: 'member-dot', 'aria-hidden': 'true' }),
        el('span', { class: 'member-name' }, m.me ? `${m.name} (you)` : m.name),
        el('span', { class: 'visually-hidden' }, m.online ? ', online' : ', offline'),
        STATE_LABEL[m.state] && el('span', { class: 'member-state' }, STATE_LABEL[m.state]),
      ]),
    ),
  );
}
