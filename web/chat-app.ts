import {
  ConversationClient,
  ConnectionState,
  DisconnectedCode,
  ParleyApiError,
  type Application,
  type Conversation,
  type StateChange,
} from '../src/client/index.js';
import { ConversationPanel, titleOf } from './conversation-panel.js';
import { fetchDemoConfig, fetchDemoToken, type DemoConfig } from './demo-api.js';
import { byId } from './dom.js';
import { describeError } from './errors.js';
import { renderConversationList } from './views/conversation-list.js';
import { Drawer } from './views/drawer.js';
import { ErrorBar } from './views/error-bar.js';
import { LoginView, type Credentials } from './views/login-view.js';

/** The page title; a total of unread messages goes in front of it. */
const PAGE_TITLE = 'Parley chat';

/** Renew a demo token this long before it expires, and retry this soon after a failed renewal. */
const RENEW_BEFORE_MS = 60_000;
const RENEW_RETRY_MS = 15_000;

interface Session {
  client: ConversationClient;
  app: Application;
  /** Set in demo mode: the name to ask /demo/token for when the token needs renewing. */
  demoName: string | undefined;
  renewTimer?: ReturnType<typeof setTimeout>;
}

/** The whole page: logging in and out, the conversation list, and the open conversation. */
export class ChatApp {
  private readonly errors = new ErrorBar();
  private readonly drawer = new Drawer();
  private readonly login = new LoginView(
    (credentials) => this.logIn(credentials),
    (message) => this.errors.show(message),
  );
  private readonly banner = byId('banner');
  private readonly list = byId<HTMLUListElement>('conversation-list');
  private readonly newName = byId<HTMLInputElement>('new-conversation-name');
  private readonly panel: ConversationPanel;
  private demo: DemoConfig | undefined;
  private session: Session | undefined;
  /** Only the latest click on a conversation gets to open it. */
  private opening = 0;

  constructor() {
    this.panel = new ConversationPanel({
      userId: () => this.session?.app.me.id ?? '',
      showError: (message) => this.errors.show(message),
      join: (conversation) => void this.join(conversation),
      membershipChanged: () => this.renderList(),
    });
    byId('logout').addEventListener('click', () => void this.logOut());
    byId<HTMLFormElement>('new-conversation').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.createConversation();
    });
  }

  async start(): Promise<void> {
    try {
      this.demo = await fetchDemoConfig();
    } catch (error) {
      this.errors.show(describeError(error));
    }
    this.login.configure(this.demo?.users);
    this.login.show();
  }

  private async logIn(credentials: Credentials): Promise<void> {
    this.errors.clear();
    const client = new ConversationClient({});
    try {
      const grant =
        credentials.kind === 'demo'
          ? await fetchDemoToken(credentials.name)
          : { token: credentials.token, expires_at: undefined };
      const app = await client.login(grant.token);
      const session: Session = {
        client,
        app,
        demoName: credentials.kind === 'demo' ? credentials.name : undefined,
      };
      this.session = session;
      client.on('state', (change) => {
        if (this.session === session) this.onState(session, change);
      });
      const relist = (): void => {
        if (this.session === session) this.renderList();
      };
      app.on('member:invited', relist).on('member:joined', relist);
      app.on('unread', relist);
      if (grant.expires_at !== undefined) this.scheduleRenewal(session, grant.expires_at);
      this.showChat(app);
      await this.openFirstConversation(app);
    } catch (error) {
      if (this.session?.client !== client) {
        await client.logout().catch(() => undefined);
        this.errors.show(describeError(error));
      }
    }
  }

  private showChat(app: Application): void {
    this.login.hide();
    byId('logged-in-as').textContent = app.me.name;
    byId('session').hidden = false;
    byId('chat-view').hidden = false;
    this.drawer.setAvailable(true);
    this.renderList();
  }

  /** The demo conversation in demo mode, else the first one you are in. */
  private async openFirstConversation(app: Application): Promise<void> {
    const joined = [...app.conversations.values()].filter((c) => c.me?.state === 'JOINED');
    const id =
      this.demo?.conversation_id ?? joined.sort((a, b) => titleOf(a).localeCompare(titleOf(b)))[0]?.id;
    if (id !== undefined) await this.open(id);
  }

  private async logOut(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    clearTimeout(session.renewTimer);
    this.panel.close();
    this.drawer.setAvailable(false);
    this.banner.hidden = true;
    this.errors.clear();
    byId('chat-view').hidden = true;
    byId('session').hidden = true;
    byId('logged-in-as').textContent = '';
    this.login.show();
    await session.client.logout().catch(() => undefined);
  }

  /** The connection banner, and what to do when the SDK gives up on its own. */
  private onState(session: Session, change: StateChange): void {
    if (change.newState === ConnectionState.Connected) {
      this.banner.hidden = true;
      this.renderList();
      void this.refreshOpenConversation(session);
      return;
    }
    this.banner.textContent = 'Reconnecting…';
    this.banner.hidden = false;
    if (change.newState !== ConnectionState.Disconnected) return;
    const refused =
      change.code === DisconnectedCode.tokenExpired || change.code === DisconnectedCode.unauthorized;
    if (refused && session.demoName !== undefined) {
      void this.renew(session);
    } else if (change.code !== DisconnectedCode.logout) {
      void this.logOut().then(() =>
        this.errors.show(
          refused
            ? 'Your token has expired or was refused. Log in again with a new one.'
            : 'The connection to the server ended. Log in again.',
        ),
      );
    }
  }

  /** After a reconnect: members and presence may have changed while we were away. */
  private async refreshOpenConversation(session: Session): Promise<void> {
    const current = this.panel.current;
    if (current && this.panel.showsHistory(current.id)) {
      await session.app.getConversation(current.id).catch(() => undefined);
    }
    if (this.session === session) this.panel.refresh();
  }

  private scheduleRenewal(session: Session, expiresAt: number): void {
    clearTimeout(session.renewTimer);
    const delay = Math.max(0, expiresAt * 1000 - Date.now() - RENEW_BEFORE_MS);
    session.renewTimer = setTimeout(() => void this.renew(session), delay);
  }

  private async renew(session: Session): Promise<void> {
    if (session.demoName === undefined) return;
    clearTimeout(session.renewTimer);
    try {
      const grant = await fetchDemoToken(session.demoName);
      if (this.session !== session) return;
      await session.app.updateToken(grant.token);
      this.scheduleRenewal(session, grant.expires_at);
    } catch (error) {
      if (this.session !== session) return;
      this.errors.show(describeError(error, 'renew your session'));
      session.renewTimer = setTimeout(() => void this.renew(session), RENEW_RETRY_MS);
    }
  }

  private renderList(): void {
    const app = this.session?.app;
    if (!app) return;
    const total = app.totalUnread;
    document.title = total > 0 ? `(${total}) ${PAGE_TITLE}` : PAGE_TITLE;
    renderConversationList(
      this.list,
      [...app.conversations.values()].map((c) => ({
        id: c.id,
        title: titleOf(c),
        state: c.me?.state,
        unread: c.unreadCount,
      })),
      this.panel.current?.id,
      {
        open: (id) => void this.open(id, true),
        join: (id) => {
          const conversation = app.conversations.get(id);
          if (conversation) void this.join(conversation);
        },
        leave: (id) => void this.leave(id),
      },
    );
  }

  private async open(id: string, fromList = false): Promise<void> {
    const session = this.session;
    if (!session) return;
    const ticket = ++this.opening;
    if (this.panel.showsHistory(id)) this.panel.refresh();
    else if (!(await this.load(session, id, ticket))) return;
    this.renderList();
    if (fromList) {
      this.drawer.setOpen(false);
      this.panel.focusComposer();
    }
  }

  /** Loads a conversation into the panel; false when it could not be shown at all. */
  private async load(session: Session, id: string, ticket: number): Promise<boolean> {
    const stale = (): boolean => ticket !== this.opening || this.session !== session;
    try {
      const conversation = await session.app.getConversation(id);
      if (stale()) return false;
      this.panel.open(conversation);
      return true;
    } catch (error) {
      if (stale()) return false;
      const listed = session.app.conversations.get(id);
      if (!listed || !(error instanceof ParleyApiError) || listed.me?.state === 'JOINED') {
        this.errors.show(describeError(error, 'open the conversation'));
        return false;
      }
      this.panel.openUnavailable(
        listed,
        listed.me?.state === 'INVITED'
          ? 'You are invited to this conversation. Accept to read and send messages.'
          : 'Join this conversation to read and send messages.',
      );
      return true;
    }
  }

  private async join(conversation: Conversation): Promise<void> {
    this.errors.clear();
    try {
      await conversation.join();
    } catch (error) {
      this.errors.show(describeError(error, `join “${titleOf(conversation)}”`));
      return;
    }
    await this.open(conversation.id, true);
  }

  private async leave(id: string): Promise<void> {
    const conversation = this.session?.app.conversations.get(id);
    if (!conversation) return;
    this.errors.clear();
    try {
      await conversation.leave();
    } catch (error) {
      this.errors.show(describeError(error, `leave “${titleOf(conversation)}”`));
    }
    this.renderList();
    if (this.panel.current === conversation) this.panel.refresh();
  }

  private async createConversation(): Promise<void> {
    const app = this.session?.app;
    const name = this.newName.value.trim();
    if (!app) return;
    if (name === '') {
      this.newName.focus();
      return;
    }
    this.errors.clear();
    try {
      const conversation = await app.newConversation({ display_name: name });
      this.newName.value = '';
      await this.join(conversation);
    } catch (error) {
      this.errors.show(describeError(error, 'create the conversation'));
    }
  }
}
