import { byId } from '../dom.js';

/** On phones the conversation and member lists slide in over the chat; on wider screens they are always shown. */
export class Drawer {
  private readonly toggle = byId<HTMLButtonElement>('drawer-toggle');
  private readonly scrim = byId('drawer-scrim');

  constructor() {
    this.toggle.addEventListener('click', () => this.setOpen(!this.isOpen));
    this.scrim.addEventListener('click', () => this.setOpen(false));
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.isOpen) {
        this.setOpen(false);
        this.toggle.focus();
      }
    });
  }

  get isOpen(): boolean {
    return document.body.classList.contains('drawer-open');
  }

  /** The toggle exists only while the chat is shown. */
  setAvailable(available: boolean): void {
    this.toggle.hidden = !available;
    if (!available) this.setOpen(false);
  }

  setOpen(open: boolean): void {
    document.body.classList.toggle('drawer-open', open);
    this.toggle.setAttribute('aria-expanded', String(open));
    this.scrim.hidden = !open;
    if (open) byId('conversation-list').querySelector('button')?.focus();
  }
}
