import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { successorToken, tutorialRoom } from '../support/successor.js';
import { startTestServer, type TestApp, type TestServer } from '../support/test-server.js';

interface Page {
  page_size: number;
  _embedded: Record<string, unknown>;
  _links: { self: { href: string }; next?: { href: string } };
}
interface WireEvent {
  id: number;
  type: string;
  body: { text?: string; event_id?: number };
}

/** The envelopes and history filters of the successor dialects, as the SDKs parse them. */
describe('successor REST dialects', () => {
  let server: TestServer;
  let app: TestApp;
  let cid: string;
  let token: string;
  const ids: Record<string, number> = {};

  const get = async <T>(path: string): Promise<T> => {
    const res = await server.call('GET', path, { token });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  const post = async (prefix: string, type: string, body: Record<string, unknown>): Promise<number> => {
    const res = await server.call('POST', `${prefix}/conversations/${cid}/events`, {
      token,
      body: { type, body },
    });
    expect(res.status).toBe(201);
    const reply = (await res.json()) as { id: number; timestamp: string };
    expect(Date.parse(reply.timestamp)).not.toBeNaN();
    return reply.id;
  };
  const events = (page: Page, inData: boolean): WireEvent[] =>
    (inData ? (page._embedded.data as { events: WireEvent[] }) : (page._embedded as { events: WireEvent[] }))
      .events;

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp('dialects');
    ({ cid } = await tutorialRoom(server, app, ['ann']));
    token = await successorToken(app, 'ann');
    ids.text = await post('/beta', 'text', { text: 'a stitch-era text' });
    ids.message = await post('/v0.3', 'message', { message_type: 'text', text: 'a message' });
    ids.seen = await post('/v0.3', 'message:seen', { event_id: ids.text });
    ids.custom = await post('/beta', 'custom:poll', { question: 'tea?' });
    ids.gone = await post('/v0.3', 'message', { message_type: 'text', text: 'deleted later' });
    expect(
      (await server.call('DELETE', `/v0.3/conversations/${cid}/events/${ids.gone}`, { token })).status,
    ).toBe(204);
  });
  afterAll(() => server.stop());

  it('renders conversations per dialect: a generated name, uuid and members on /beta, member state on /beta2', async () => {
    const v03 = await get<Record<string, unknown>>(`/v0.3/conversations/${cid}`);
    expect(v03).toMatchObject({ id: cid, name: expect.stringMatching(/^NAM-/), state: 'ACTIVE' });
    expect(v03._embedded).toMatchObject({ member: { state: 'JOINED' } });
    const beta = await get<Record<string, unknown>>(`/beta/conversations/${cid}`);
    expect(beta).toMatchObject({
      uuid: cid,
      members: [expect.objectContaining({ name: 'ann', state: 'JOINED' })],
    });
    const mine = await get<Page>(`/beta2/users/me/conversations?page_size=10&order=asc`);
    expect((mine._embedded.data as { conversations: unknown[] }).conversations).toEqual([
      expect.objectContaining({ id: cid, member_id: expect.stringMatching(/^MEM-/), state: 'JOINED' }),
    ]);
    const v03Mine = await get<Page>(`/v0.3/users/me/conversations?order=ASC&page_size=10`);
    expect(v03Mine._embedded.conversations).toEqual([
      expect.objectContaining({
        id: cid,
        state: 'ACTIVE',
        _embedded: { member: expect.objectContaining({ state: 'JOINED' }) },
      }),
    ]);
  });

  it('keeps ChatEvents pages to what the Vonage SDK decodes, in its vocabulary, without deleted events', async () => {
    const page = await get<Page>(
      `/v0.3/conversations/${cid}/events?order=ASC&page_size=100&filter_group_type=ChatEvents&filter_group_version=3&exclude_deleted_events=true`,
    );
    expect(events(page, false).map((e) => [e.id, e.type])).toEqual([
      [1, 'member:joined'],
      [ids.text, 'message'],
      [ids.message, 'message'],
      [ids.custom, 'custom:poll'],
      [ids.gone! + 1, 'event:delete'],
    ]);
  });

  it('shows nexmo-client every event as stored, in _embedded.data', async () => {
    const page = await get<Page>(`/beta2/conversations/${cid}/events?page_size=100&order=asc`);
    expect(events(page, true).map((e) => e.type)).toEqual([
      'member:joined',
      'text',
      'message',
      'message:seen',
      'custom:poll',
      'message',
      'event:delete',
    ]);
  });

  it('filters by event_type across vocabularies and by start_id and end_id', async () => {
    const messages = await get<Page>(
      `/v0.3/conversations/${cid}/events?event_type=message,custom:*&exclude_deleted_events=true`,
    );
    expect(events(messages, false).map((e) => e.id)).toEqual([ids.text, ids.message, ids.custom]);
    const range = await get<Page>(
      `/beta2/conversations/${cid}/events?start_id=${ids.message}&end_id=${ids.custom}`,
    );
    expect(events(range, true).map((e) => e.id)).toEqual([ids.message, ids.seen, ids.custom]);
  });

  it('pages both ways with a plain cursor placed after the other parameters', async () => {
    const seen: number[] = [];
    let path: string | undefined = `/beta2/conversations/${cid}/events?page_size=2&order=desc`;
    while (path) {
      const page: Page = await get<Page>(path);
      seen.push(...events(page, true).map((e) => e.id));
      const next = page._links.next?.href;
      if (next) {
        expect(new URLSearchParams(next).get('cursor')).toMatch(/^\d+$/);
        expect(next.endsWith(`cursor=${seen.at(-1)}`)).toBe(true);
      }
      path = next ? new URL(next).pathname + new URL(next).search : undefined;
    }
    expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1]);
  });

  it('refuses a message without its content and an unknown filter group', async () => {
    const bad = await server.call('POST', `/v0.3/conversations/${cid}/events`, {
      token,
      body: { type: 'message', body: { message_type: 'image' } },
    });
    expect(bad.status).toBe(400);
    const group = await server.call('GET', `/v0.3/conversations/${cid}/events?filter_group_type=Everything`, {
      token,
    });
    expect(group.status).toBe(400);
  });
});
