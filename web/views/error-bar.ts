import { byId } from '../dom.js';

/** `#error`: one message at a time, announced (role=alert), dismissable. */
export class ErrorBar {
  private readonly bar = byId('error-bar');
  private readonly text = byId('error');

  constructor() {
    byId('error-dismiss').addEventListener('click', () => this.clear());
  }

  show(message: string): void {
    this.text.textContent = message;
    this.bar.hidden = false;
  }

  clear(): void {
    this.bar.hidden = true;
    this.text.textContent = '';
  }
}
