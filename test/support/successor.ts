import { signToken, type TestApp, type TestServer } from './test-server.js';

/** The ACL Vonage's current client SDK tutorials issue (client-sdk-protocols.md §4.5). */
export const SUCCESSOR_ACL = {
  paths: {
    '/*/users/**': {},
    '/*/conversations/**': {},
    '/*/sessions/**': {},
    '/*/devices/**': {},
    '/*/push/**': {},
    '/*/knocking/**': {},
    '/*/legs/**': {},
  },
};

export const successorToken = (app: TestApp, name: string, claims: Record<string, unknown> = {}) =>
  signToken(app, { sub: name, acl: SUCCESSOR_ACL, ...claims });

/** Items arriving from a client's callbacks, awaited by predicate; the timeout only bounds a failing test. */
export class Inbox<T> {
  readonly items: T[] = [];
  private readonly watchers = new Set<{ predicate: (item: T) => boolean; resolve: (item: T) => void }>();

  push = (item: T): void => {
    this.items.push(item);
    for (const w of [...this.watchers]) {
      if (w.predicate(item)) {
        this.watchers.delete(w);
        w.resolve(item);
      }
    }
  };

  waitFor(predicate: (item: T) => boolean, what = 'an item', timeoutMs = 10_000): Promise<T> {
    const already = this.items.find(predicate);
    if (already !== undefined) return Promise.resolve(already);
    return new Promise<T>((resolve, reject) => {
      const watcher = { predicate, resolve };
      this.watchers.add(watcher);
      setTimeout(() => {
        if (this.watchers.delete(watcher)) reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs).unref();
    });
  }
}

/** The tutorial's setup: a conversation with only a display name, and users joined to it, over `/v1`. */
export async function tutorialRoom(
  server: TestServer,
  app: TestApp,
  names: string[],
): Promise<{ cid: string; userIds: Map<string, string> }> {
  const token = await signToken(app);
  const post = async (path: string, body: unknown): Promise<{ id: string }> => {
    const res = await server.call('POST', path, { token, body });
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string };
  };
  const cid = (await post('/v1/conversations', { display_name: 'Old School Chat' })).id;
  const userIds = new Map<string, string>();
  for (const name of names) {
    userIds.set(name, (await post('/v1/users', { name, display_name: name.toUpperCase() })).id);
    await post(`/v1/conversations/${cid}/members`, { user: { name }, state: 'JOINED' });
  }
  return { cid, userIds };
}
