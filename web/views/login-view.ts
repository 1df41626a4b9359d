import { byId, el, setChildren } from '../dom.js';

export type Credentials = { kind: 'demo'; name: string } | { kind: 'token'; token: string };

/** `#login`: a name (demo mode, with a button per demo user) or a pasted JWT. */
export class LoginView {
  private readonly view = byId('login-view');
  private readonly form = byId<HTMLFormElement>('login');
  private readonly nameInput = byId<HTMLInputElement>('login-name');
  private readonly tokenInput = byId<HTMLTextAreaElement>('token-input');
  private readonly submitButton = byId<HTMLButtonElement>('login-submit');
  private readonly demoUsers = byId('demo-users');
  private demo = false;
  private busy = false;

  constructor(
    private readonly onSubmit: (credentials: Credentials) => Promise<void>,
    private readonly onInvalid: (message: string) => void,
  ) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const credentials: Credentials = this.demo
        ? { kind: 'demo', name: this.nameInput.value.trim() }
        : { kind: 'token', token: this.tokenInput.value.trim() };
      void this.submit(credentials);
    });
  }

  /** Demo mode when `users` is given, otherwise the token field. */
  configure(users: readonly string[] | undefined): void {
    this.demo = users !== undefined;
    byId('login-demo').hidden = !this.demo;
    byId('login-token').hidden = this.demo;
    setChildren(
      this.demoUsers,
      (users ?? []).map((name) => {
        const button = el('button', { class: 'button', type: 'button', 'data-user': name }, [
          el('span', { class: 'visually-hidden' }, 'Log in as '),
          name,
        ]);
        button.addEventListener('click', () => {
          this.nameInput.value = name;
          void this.submit({ kind: 'demo', name });
        });
        return button;
      }),
    );
  }

  show(): void {
    this.view.hidden = false;
    (this.demo ? this.nameInput : this.tokenInput).focus();
  }

  hide(): void {
    this.view.hidden = true;
  }

  private async submit(credentials: Credentials): Promise<void> {
    if (this.busy) return;
    if (credentials.kind === 'demo' ? credentials.name === '' : credentials.token === '') {
      this.onInvalid(
        credentials.kind === 'demo' ? 'Enter your name to log in.' : 'Paste your token to log in.',
      );
      (this.demo ? this.nameInput : this.tokenInput).focus();
      return;
    }
    this.setBusy(true);
    try {
      await this.onSubmit(credentials);
    } finally {
      this.setBusy(false);
    }
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.submitButton.disabled = busy;
    this.submitButton.textContent = busy ? 'Logging in…' : 'Log in';
    for (const button of this.demoUsers.querySelectorAll('button')) button.disabled = busy;
  }
}
