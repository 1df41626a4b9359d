import { readFile } from 'node:fs/promises';
import { Conversations } from '@vonage/conversations';
import { Users } from '@vonage/users';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextEvent } from '../../src/client/index.js';
import { createClient } from '../client/helpers.js';
import {
  appToken,
  startTestServer,
  userToken,
  type TestApp,
  type TestServer,
} from '../support/test-server.js';
import { counts, FIXTURE, fixtureLines, importDump } from './dump-client.js';

/** A dump in Vonage's v1 shapes (3 users, a conversation, 3 members, 50 events from 2025, one deleted). */
describe('importing a Vonage dump', () => {
  let server: TestServer;
  let app: TestApp;
  let token: string;
  let lines: Record<string, any>[];
  let dump: string;
  const of = (kind: string) => lines.filter((line) => line.kind === kind);

  const get = async (path: string, bearer = token): Promise<any> => {
    const res = await server.call('GET', path, { token: bearer });
    expect(res.status, path).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp('Migrated');
    token = await appToken(app);
    lines = await fixtureLines();
    dump = await readFile(FIXTURE, 'utf8');
    const summary = await importDump(server, app.id, dump);
    expect(summary).toEqual({
      lines: 57,
      created: counts(3, 1, 3, 50),
      unchanged: counts(0, 0, 0, 0),
      overwritten: counts(0, 0, 0, 0),
      conflicts: 0,
      refused: 0,
      malformed: 0,
      problems: [],
      problems_omitted: 0,
    });
  });
  afterAll(() => server.stop());

  it('keeps every user with its id, name, display name, image and custom data', async () => {
    const listed = (await get('/v1/users?page_size=100'))._embedded.users;
    const expected = of('user').map(({ kind: _k, _links: _l, ...user }) => user);
    expect(listed.map(({ _links: _l, ...user }: any) => user)).toEqual(
      expect.arrayContaining(expected.map((user) => expect.objectContaining(user))),
    );
    expect(listed).toHaveLength(3);
    for (const user of expected) expect(await get(`/v1/users/${user.id}`)).toMatchObject(user);
  });

  it('keeps the conversation with its id, names, image, custom data and creation time', async () => {
    const [given] = of('conversation');
    const shown = await get(`/v1/conversations/${given!.id}`);
    expect(shown).toMatchObject({
      id: given!.id,
      name: 'support-room',
      display_name: 'Support room',
      image_url: given!.image_url,
      state: 'ACTIVE',
      properties: { custom_data: given!.properties.custom_data },
      timestamp: given!.timestamp,
    });
    expect(shown.sequence_number).toBeGreaterThanOrEqual(50);
  });

  it('keeps the members with their states, timestamps, inviter and users', async () => {
    const cid = of('conversation')[0]!.id;
    const listed = (await get(`/v1/conversations/${cid}/members?page_size=100`))._embedded.members;
    expect(listed.map((m: any) => m.id).sort()).toEqual(
      of('member')
        .map((m) => m.id)
        .sort(),
    );
    for (const given of of('member')) {
      const shown = await get(`/v1/conversations/${cid}/members/${given.id}`);
      expect(shown).toMatchObject({
        id: given.id,
        conversation_id: cid,
        state: given.state,
        timestamp: given.timestamp,
        channel: given.channel,
        _embedded: { user: given._embedded.user },
      });
      expect(shown.invited_by).toBe(given.invited_by);
    }
  });

  it('shows the 50 events over REST with their ids, types, senders, bodies and timestamps, in order', async () => {
    const cid = of('conversation')[0]!.id;
    const shown = (await get(`/v1/conversations/${cid}/events?page_size=100`))._embedded;
    const given = of('event').sort((a, b) => a.id - b.id);
    const fields = ({ id, type, from, body, timestamp, deleted }: any) => ({
      id,
      type,
      from,
      body,
      timestamp,
      deleted,
    });
    expect(shown.slice(0, 50).map(fields)).toEqual(given.map(fields));
    const deleted = shown.find((e: any) => e.id === 20);
    expect(deleted).toMatchObject({ body: {}, deleted: '2025-03-14T09:21:00.000Z' });
    const alive = (await get(`/v1/conversations/${cid}/events?page_size=100&exclude_deleted_events=true`))
      ._embedded;
    expect(alive.map((e: any) => e.id)).not.toContain(20);
  });

  it('shows the same history through @vonage/users and @vonage/conversations', async () => {
    const credentials = { applicationId: app.id, privateKey: app.privateKey };
    const users = new Users(credentials, { apiHost: server.url });
    const conversations = new Conversations(credentials, { apiHost: server.url });
    const names: string[] = [];
    for await (const user of users.listAllUsers({ pageSize: 2 })) names.push(user.name!);
    expect(names.sort()).toEqual(['alice', 'bob', 'carol']);
    const cid = of('conversation')[0]!.id;
    expect((await conversations.getConversation(cid)).displayName).toBe('Support room');
    const events = [];
    for await (const event of conversations.listAllEvents(cid, { pageSize: 7 })) events.push(event);
    const given = of('event').sort((a, b) => a.id - b.id);
    expect(events.slice(0, 50).map((e) => [e.id, e.type, e.timestamp, (e.body as any)?.text])).toEqual(
      given.map((e) => [e.id, e.type, e.timestamp, e.body.text]),
    );
  });

  it("shows the same history through Parley's SDK, and the next text takes id 51", async () => {
    const cid = of('conversation')[0]!.id;
    const { client } = createClient(server.url);
    try {
      const application = await client.login(await userToken(app, 'alice'));
      const conversation = await application.getConversation(cid);
      const events = await conversation.getEvents({ page_size: 100 });
      const given = of('event').sort((a, b) => a.id - b.id);
      expect([...events.keys()].slice(0, 50)).toEqual(given.map((e) => e.id));
      const texts = given.filter((e) => e.type === 'text' && !e.deleted);
      for (const line of texts) {
        const event = events.get(line.id);
        expect(event).toBeInstanceOf(TextEvent);
        expect(event).toMatchObject({
          id: line.id,
          timestamp: line.timestamp,
          body: { text: line.body.text },
        });
      }
      expect(conversation.me?.id).toBe(of('member')[0]!.id);
      const sent = await conversation.sendText('first message after the move');
      expect(sent.id).toBe(51);
    } finally {
      await client.logout();
    }
    const last = (await get(`/v1/conversations/${cid}/events?page_size=100`))._embedded.at(-1);
    expect(last).toMatchObject({ id: 51, type: 'text', body: { text: 'first message after the move' } });
  });

  it('reports everything unchanged when the same dump is imported again', async () => {
    const summary = await importDump(server, app.id, dump);
    expect(summary).toMatchObject({
      created: counts(0, 0, 0, 0),
      unchanged: counts(3, 1, 3, 50),
      overwritten: counts(0, 0, 0, 0),
      conflicts: 0,
      refused: 0,
      malformed: 0,
    });
  });
});
