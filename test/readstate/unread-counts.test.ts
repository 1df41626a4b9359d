import { afterEach, describe, expect, it } from 'vitest';
import type { Application } from '../../src/client/index.js';
import { TextEvent } from '../../src/client/events/text-event.js';
import { createClient } from '../client/helpers.js';
import { nativeClient, socketIoClient, type RawClient } from '../support/realtime-clients.js';
import { startTestServer, userToken, type TestApp, type TestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

interface Listed {
  id: string;
  unread_count: number;
  last_seen_event_id: number;
  last_delivered_event_id: number;
}

const servers: TestServer[] = [];
const closers: (() => unknown)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const server of servers.splice(0)) await server.stop();
});

async function world() {
  const server = await startTestServer();
  servers.push(server);
  const app = await server.createApp();
  const { cid, userIds } = await server.createRoom(app, ['john', 'kevin', 'larry']);
  for (const [name, id] of userIds) userIdsByName.set(`${app.id}:${name}`, id);
  return { server, app, cid };
}

/** User ids by name, of every world's users (names are unique per application, ids across all). */
const userIdsByName = new Map<string, string>();

async function restList(server: TestServer, app: TestApp, name: string, cid: string): Promise<Listed> {
  const token = await userToken(app, name);
  const id = userIdsByName.get(`${app.id}:${name}`);
  const res = await server.call('GET', `/v1/users/${id ?? ''}/conversations`, { token });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { _embedded: { conversations: Listed[] } };
  return body._embedded.conversations.find((c) => c.id === cid)!;
}

async function sendTexts(server: TestServer, app: TestApp, cid: string, name: string, count: number) {
  const token = await userToken(app, name);
  const ids: number[] = [];
  for (let i = 1; i <= count; i++) {
    const res = await server.call('POST', `/v1/conversations/${cid}/events`, {
      token,
      body: { type: 'text', body: { text: `message ${i}` } },
    });
    expect(res.status).toBe(201);
    ids.push(((await res.json()) as { id: number }).id);
  }
  return ids;
}

async function loggedIn(client: RawClient, token: string): Promise<RawClient> {
  closers.push(() => client.close());
  const reply = await client.request('session:login', { body: { token } });
  expect(reply.type).toBe('session:success');
  return client;
}

async function sdk(server: TestServer, app: TestApp, name: string): Promise<Application> {
  const { client } = createClient(server.url);
  closers.push(() => client.logout().catch(() => undefined));
  return client.login(await userToken(app, name));
}

const listedOver = async (client: RawClient, cid: string): Promise<Listed | undefined> => {
  const reply = await client.request('user:conversations');
  return (reply.body as Listed[]).find((c) => c.id === cid);
};

describe('unread counts', () => {
  it("counts John's five messages for Kevin over REST, Stitch, the native protocol and the SDK", async () => {
    const { server, app, cid } = await world();
    await sendTexts(server, app, cid, 'john', 5);

    expect(await restList(server, app, 'kevin', cid)).toMatchObject({
      unread_count: 5,
      last_seen_event_id: 0,
    });
    expect((await restList(server, app, 'john', cid)).unread_count).toBe(0);
    const stitch = await loggedIn(await socketIoClient(server.url), await userToken(app, 'kevin'));
    expect(await listedOver(stitch, cid)).toMatchObject({ unread_count: 5, last_seen_event_id: 0 });
    const native = await loggedIn(await nativeClient(server.url), await userToken(app, 'kevin'));
    expect(await listedOver(native, cid)).toMatchObject({ unread_count: 5 });

    const kevin = await sdk(server, app, 'kevin');
    const conversations = await kevin.getConversations();
    expect(conversations.get(cid)?.unreadCount).toBe(5);
    expect(kevin.totalUnread).toBe(5);
  });

  it("brings every one of Kevin's sessions to 2 when he sees the third, and keeps 2 after a restart", async () => {
    const { server, app, cid } = await world();
    const sent = await sendTexts(server, app, cid, 'john', 5);
    const [tab1, tab2] = [await sdk(server, app, 'kevin'), await sdk(server, app, 'kevin')];
    const [c1, c2] = [await tab1.getConversation(cid), await tab2.getConversation(cid)];
    expect([c1.unreadCount, c2.unreadCount]).toEqual([5, 5]);
    const totals: number[] = [];
    tab2.on('unread', (_conversation, total) => totals.push(total));

    const third = c1.events.get(sent[2]!);
    expect(third).toBeInstanceOf(TextEvent);
    await (third as TextEvent).seen();
    await waitFor(() => c1.unreadCount === 2 && c2.unreadCount === 2, 3000, 'both tabs at 2');
    expect(totals.at(-1)).toBe(2);
    expect(c2.lastSeenEventId).toBe(sent[2]);
    expect(await restList(server, app, 'kevin', cid)).toMatchObject({
      unread_count: 2,
      last_seen_event_id: sent[2],
    });

    await sendTexts(server, app, cid, 'larry', 1);
    await waitFor(() => c2.unreadCount === 3, 3000, 'a new message counted live');

    for (const close of closers.splice(0)) await close();
    await server.close();
    const again = await startTestServer({ dataDir: server.dataDir });
    servers.splice(servers.indexOf(server), 1, again);
    expect((await restList(again, app, 'kevin', cid)).unread_count).toBe(3);
  });

  it('stores delivered receipts, moving the pointer forward only, and seen ones from any transport', async () => {
    const { server, app, cid } = await world();
    const sent = await sendTexts(server, app, cid, 'john', 3);
    const kevin = await loggedIn(await socketIoClient(server.url), await userToken(app, 'kevin'));
    const { body: me } = await kevin.request('conversation:get', { cid });
    const from = (me as { member_id: string }).member_id;

    const delivered = await kevin.request('text:delivered', { cid, from, body: { event_id: sent[1] } });
    expect(delivered.type).toBe('text:delivered:success');
    expect((delivered.body as { id: number }).id).toBeGreaterThan(sent[2]!);
    await kevin.request('text:delivered', { cid, from, body: { event_id: sent[0] } });
    expect(await restList(server, app, 'kevin', cid)).toMatchObject({
      last_delivered_event_id: sent[1],
      unread_count: 3,
    });

    const token = await userToken(app, 'kevin');
    const seen = await server.call('POST', `/v1/conversations/${cid}/events`, {
      token,
      body: { type: 'text:seen', body: { event_id: sent[2] } },
    });
    expect(seen.status).toBe(201);
    expect(await restList(server, app, 'kevin', cid)).toMatchObject({
      last_seen_event_id: sent[2],
      last_delivered_event_id: sent[2],
      unread_count: 0,
    });
    const texts = (await (
      await server.call('GET', `/v1/conversations/${cid}/events?event_type=text`, { token })
    ).json()) as { _embedded: { id: number; state?: { seen_by: Record<string, string> } }[] };
    for (const event of texts._embedded) expect(Object.keys(event.state?.seen_by ?? {})).toEqual([from]);
    const replayed = await kevin.request('conversation:events', { cid });
    const seenBy = (replayed.body as { type: string; state?: { seen_by?: object } }[])
      .filter((e) => e.type === 'text')
      .map((e) => Object.keys(e.state?.seen_by ?? {}));
    expect(seenBy).toEqual([[from], [from], [from]]);
    const history = await server.call('GET', `/v1/conversations/${cid}/events?event_type=text:delivered`, {
      token,
    });
    expect(((await history.json()) as { _embedded: unknown[] })._embedded).toHaveLength(2);
  });

  it('stops counting a message once it is deleted', async () => {
    const { server, app, cid } = await world();
    const [first] = await sendTexts(server, app, cid, 'john', 2);
    const john = await userToken(app, 'john');
    const res = await server.call('DELETE', `/v1/conversations/${cid}/events/${first}`, { token: john });
    expect(res.status).toBe(204);
    expect((await restList(server, app, 'kevin', cid)).unread_count).toBe(1);
  });
});
