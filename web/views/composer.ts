export interface ComposerHandlers {
  /** Sends the text; resolves `false` when it failed, and the text goes back in the box for a retry. */
  send(text: string): Promise<boolean>;
  typing(active: boolean): void;
}

/** Stop "typing…" after this long without a keystroke. */
const TYPING_IDLE_MS = 2500;
/** While typing goes on, say so again this often: others forget a typist they have not heard from. */
const TYPING_REPEAT_MS = 5000;

/** `#composer` and `#send`: Enter sends, Shift+Enter breaks the line, Send is disabled while empty. */
export class Composer {
  private enabled = false;
  private typing = false;
  private typingSentAt = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly form: HTMLFormElement,
    private readonly input: HTMLTextAreaElement,
    private readonly button: HTMLButtonElement,
    private readonly handlers: ComposerHandlers,
  ) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    input.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
      if (event.ctrlKey || event.altKey || event.metaKey) return;
      event.preventDefault();
      void this.submit();
    });
    input.addEventListener('input', () => this.onInput());
  }

  setEnabled(enabled: boolean, placeholder = 'Write a message…'): void {
    this.enabled = enabled;
    this.input.disabled = !enabled;
    this.input.placeholder = placeholder;
    if (!enabled) this.setTyping(false);
    this.refresh();
  }

  focus(): void {
    this.input.focus();
  }

  private get text(): string {
    return this.input.value.trim();
  }

  private refresh(): void {
    this.button.disabled = !this.enabled || this.text === '';
    this.input.style.height = 'auto';
    this.input.style.height = `${this.input.scrollHeight + 2}px`;
  }

  private onInput(): void {
    this.refresh();
    if (this.text === '') {
      this.setTyping(false);
      return;
    }
    this.setTyping(true);
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.setTyping(false), TYPING_IDLE_MS);
  }

  private setTyping(active: boolean): void {
    if (!active) clearTimeout(this.idleTimer);
    const repeat = active && Date.now() - this.typingSentAt >= TYPING_REPEAT_MS;
    if (active === this.typing && !repeat) return;
    this.typing = active;
    this.typingSentAt = active ? Date.now() : 0;
    this.handlers.typing(active);
  }

  private async submit(): Promise<void> {
    const text = this.text;
    if (!this.enabled || text === '') return;
    this.setTyping(false);
    this.input.value = '';
    this.refresh();
    const sent = await this.handlers.send(text);
    if (!sent && this.input.value.trim() === '') {
      this.input.value = text;
      this.refresh();
    }
  }
}
