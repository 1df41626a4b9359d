import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeClient, socketIoClient, type Message, type RawClient } from '../support/realtime-clients.js';
import {
  appToken,
  startTestServer,
  userToken,
  type TestApp,
  type TestServer,
} from '../support/test-server.js';

interface Room {
  cid: string;
  /** Member ids by user name. */
  members: Map<string, string>;
  userIds: Map<string, string>;
}

describe('roles and moderation', () => {
  let server: TestServer;
  let app: TestApp;
  let admin: string;
  let rooms = 0;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp();
    admin = await appToken(app);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await server.stop();
  });

  const json = async (res: Response) => ({
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
  });

  /** A conversation created by its owner (so they hold the `owner` role), with `others` joined by the application. */
  async function room(others: string[]): Promise<Room> {
    rooms++;
    const names = [`owner${rooms}`, ...others.map((n) => `${n}${rooms}`)];
    const userIds = new Map<string, string>();
    for (const name of names) {
      const { body } = await json(await server.call('POST', '/v1/users', { token: admin, body: { name } }));
      userIds.set(name, body.id as string);
    }
    const owner = await userToken(app, names[0]!);
    const { body: created } = await json(
      await server.call('POST', '/v1/conversations', { token: owner, body: {} }),
    );
    const cid = created.id as string;
    const members = new Map<string, string>();
    for (const name of names) {
      const token = name === names[0] ? owner : admin;
      const { body } = await json(
        await server.call('POST', `/v1/conversations/${cid}/members`, {
          token,
          body: { user: { name }, state: 'JOINED' },
        }),
      );
      members.set(name, body.id as string);
    }
    return { cid, members, userIds };
  }

  const nameIn = (base: string) => `${base}${rooms}`;

  async function login(name: string, transport: (url: string) => Promise<RawClient> = nativeClient) {
    const client = await transport(server.url);
    clients.push(client);
    const reply = await client.request('session:login', { body: { token: await userToken(app, name) } });
    expect(reply.type).toBe('session:success');
    return client;
  }

  const history = async (cid: string): Promise<Message[]> =>
    (
      (await (
        await server.call('GET', `/v1/conversations/${cid}/events?page_size=100`, { token: admin })
      ).json()) as {
        _embedded: Message[];
      }
    )._embedded;

  it('gives the creator the owner role and everyone else member, in every representation', async () => {
    const r = await room(['kevin']);
    const owner = await login(nameIn('owner'));
    const got = await owner.request('conversation:get', { cid: r.cid });
    const roles = (got.body as { members: { name: string; role: string; muted: boolean }[] }).members.map(
      (m) => [m.name, m.role, m.muted],
    );
    expect(roles).toEqual(
      expect.arrayContaining([
        [nameIn('owner'), 'owner', false],
        [nameIn('kevin'), 'member', false],
      ]),
    );
    const rest = await json(
      await server.call('GET', `/v1/conversations/${r.cid}/members/${r.members.get(nameIn('kevin'))}`, {
        token: admin,
      }),
    );
    expect(rest.body).toMatchObject({ role: 'member', muted: false });
  });

  it("lets the owner kick a member with a reason (Stitch's member.kick()), who then cannot send or read", async () => {
    const r = await room(['kevin', 'larry']);
    const [owner, kevin, larry] = [
      await login(nameIn('owner'), socketIoClient),
      await login(nameIn('kevin'), socketIoClient),
      await login(nameIn('larry'), socketIoClient),
    ];
    const refused = await larry.request('conversation:member:delete', {
      cid: r.cid,
      to: r.members.get(nameIn('kevin')),
      body: { member_id: r.members.get(nameIn('kevin')) },
    });
    expect(refused.type).toBe('system:error:forbidden');

    const kick = await owner.request('conversation:member:delete', {
      cid: r.cid,
      to: r.members.get(nameIn('kevin')),
      body: { member_id: r.members.get(nameIn('kevin')), reason: 'spam' },
    });
    expect(kick.type).toBe('conversation:member:delete:success');
    const left = await larry.waitFor((m) => m.type === 'member:left');
    expect(left.body).toMatchObject({ reason: 'spam', member_id: r.members.get(nameIn('kevin')) });
    expect((await kevin.request('text', { cid: r.cid, body: { text: 'still here?' } })).type).toBe(
      'conversation:error:not-member',
    );
    expect((await kevin.request('conversation:events', { cid: r.cid })).type).toBe(
      'conversation:error:not-member',
    );
  });

  it('bans a user, who is removed and refused on rejoining until unbanned', async () => {
    const r = await room(['kevin']);
    const owner = await userToken(app, nameIn('owner'));
    const kevinId = r.userIds.get(nameIn('kevin'))!;
    const ban = await server.call('POST', `/v1/conversations/${r.cid}/bans`, {
      token: owner,
      body: { user_id: kevinId, reason: 'abuse' },
    });
    expect(ban.status).toBe(201);
    const kevin = await login(nameIn('kevin'));
    expect((await kevin.request('conversation:join', { cid: r.cid, body: {} })).type).toBe(
      'conversation:error:banned',
    );
    const invite = await json(
      await server.call('POST', `/v1/conversations/${r.cid}/members`, {
        token: admin,
        body: { user: { id: kevinId }, state: 'INVITED' },
      }),
    );
    expect(invite.body.code).toBe('conversation:error:banned');
    const types = (await history(r.cid)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['member:left', 'member:banned']);

    expect(
      (await server.call('DELETE', `/v1/conversations/${r.cid}/bans/${kevinId}`, { token: owner })).status,
    ).toBe(204);
    expect((await kevin.request('conversation:join', { cid: r.cid, body: {} })).type).toBe(
      'conversation:join:success',
    );
  });

  it("refuses a muted member's sends and does not relay their typing", async () => {
    const r = await room(['kevin', 'larry']);
    const kevinMember = r.members.get(nameIn('kevin'))!;
    const [kevin, larry] = [await login(nameIn('kevin')), await login(nameIn('larry'))];
    const muted = await json(
      await server.call('PATCH', `/v1/conversations/${r.cid}/members/${kevinMember}`, {
        token: await userToken(app, nameIn('owner')),
        body: { muted: true },
      }),
    );
    expect(muted.body).toMatchObject({ muted: true });
    expect((await kevin.request('text', { cid: r.cid, body: { text: 'hello?' } })).type).toBe(
      'conversation:error:muted',
    );
    const rest = await json(
      await server.call('POST', `/v1/conversations/${r.cid}/events`, {
        token: await userToken(app, nameIn('kevin')),
        body: { type: 'text', body: { text: 'over REST' } },
      }),
    );
    expect(rest).toMatchObject({ status: 403, body: { code: 'conversation:error:muted' } });

    expect((await kevin.request('text:typing:on', { cid: r.cid })).type).toBe('text:typing:on:success');
    const owner = await login(nameIn('owner'));
    await owner.request('text:typing:on', { cid: r.cid });
    // Kevin's typing was answered before the owner's was sent: had it been relayed, it would have come first.
    await larry.waitFor((m) => m.type === 'text:typing:on');
    expect(larry.pushed.filter((m) => m.type === 'text:typing:on').map((m) => m.from)).toEqual([
      r.members.get(nameIn('owner')),
    ]);
    expect(
      (await history(r.cid)).some((e) => e.type === 'member:muted' && (e.body as { muted: boolean }).muted),
    ).toBe(true);
  });

  it('orders every send racing a mute before it, or refuses it', async () => {
    const r = await room(['kevin']);
    const kevin = await login(nameIn('kevin'));
    const owner = await userToken(app, nameIn('owner'));
    const sends = Array.from({ length: 20 }, (_, i) =>
      kevin.request('text', { cid: r.cid, body: { text: `m${i}` } }),
    );
    const mute = server.call(
      'PATCH',
      `/v1/conversations/${r.cid}/members/${r.members.get(nameIn('kevin'))}`,
      {
        token: owner,
        body: { muted: true },
      },
    );
    const replies = await Promise.all(sends);
    expect((await mute).status).toBe(200);
    const events = await history(r.cid);
    const muteId = events.find((e) => e.type === 'member:muted')!.id!;
    for (const reply of replies) {
      if (reply.type === 'text:success') expect((reply.body as { id: number }).id).toBeLessThan(muteId);
      else expect(reply.type).toBe('conversation:error:muted');
    }
  });

  it('lets the owner make a moderator, who may delete others’ messages; members may not change roles', async () => {
    const r = await room(['kevin', 'larry']);
    const larryMember = r.members.get(nameIn('larry'))!;
    const kevinToken = await userToken(app, nameIn('kevin'));
    const path = `/v1/conversations/${r.cid}/members/${r.members.get(nameIn('kevin'))}`;
    const refused = await json(
      await server.call('PATCH', path, { token: kevinToken, body: { role: 'moderator' } }),
    );
    expect(refused).toMatchObject({ status: 403, body: { code: 'system:error:forbidden' } });
    const made = await json(
      await server.call('PATCH', path, {
        token: await userToken(app, nameIn('owner')),
        body: { role: 'moderator' },
      }),
    );
    expect(made.body).toMatchObject({ role: 'moderator' });

    const sent = await json(
      await server.call('POST', `/v1/conversations/${r.cid}/events`, {
        token: await userToken(app, nameIn('larry')),
        body: { type: 'text', body: { text: 'rude' } },
      }),
    );
    const del = await server.call('DELETE', `/v1/conversations/${r.cid}/events/${sent.body.id as number}`, {
      token: kevinToken,
    });
    expect(del.status).toBe(204);
    const larryKick = await json(
      await server.call('PATCH', `/v1/conversations/${r.cid}/members/${larryMember}`, {
        token: kevinToken,
        body: { state: 'left', reason: 'enough' },
      }),
    );
    expect(larryKick.body).toMatchObject({ state: 'LEFT' });
    const types = (await history(r.cid)).map((e) => e.type);
    expect(types).toContain('member:role');
    expect(types.slice(-2)).toEqual(['event:delete', 'member:left']);
  });
});
