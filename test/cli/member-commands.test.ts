import { describe, expect, it } from 'vitest';
import { useCliFixture } from './support/cli-fixture.js';

const fixture = useCliFixture();

const idOf = (line: string | undefined): string => line!.split(': ')[1]!;

/** A conversation and a user, as after the tutorial's conversation:create and user:create. */
const withConversationAndUser = async () => {
  const f = await fixture();
  const conversation = idOf((await f.run('conversation:create', 'display_name=Old School Chat')).out[0]);
  const user = idOf((await f.run('user:create', 'name=John')).out[0]);
  f.proxy.requests.length = 0;
  return { ...f, conversation, user };
};

describe('parley member:*', () => {
  it('adds a user with the tutorial command line', async () => {
    const { proxy, run, conversation, user } = await withConversationAndUser();
    const added = await run(
      'member:add',
      conversation,
      'action=join',
      'channel={"type":"app"}',
      `user_id=${user}`,
    );
    expect(added.code).toBe(0);
    expect(added.out).toHaveLength(1);
    expect(added.out[0]).toMatch(/^Member added: MEM-[0-9a-f-]{36}$/);
    expect(proxy.requests[0]).toMatchObject({
      method: 'POST',
      url: `/v1/conversations/${conversation}/members`,
      body: { user: { id: user }, state: 'JOINED', channel: { type: 'app' } },
    });
    expect(proxy.requests[0]!.token?.claims.sub).toBeUndefined();
  });

  it('invites with action=invite and defaults to joining over the app channel', async () => {
    const { proxy, run, conversation, user } = await withConversationAndUser();
    await run('member:add', conversation, 'action=invite', `user_id=${user}`);
    await run('member:add', conversation, `user_id=${user}`);
    expect(proxy.requests.map((r) => r.body)).toEqual([
      { user: { id: user }, state: 'INVITED', channel: { type: 'app' } },
      { user: { id: user }, state: 'JOINED', channel: { type: 'app' } },
    ]);
  });

  it('lists members with their state and user, and removes one by making it leave', async () => {
    const { proxy, run, conversation, user } = await withConversationAndUser();
    const member = idOf((await run('member:add', conversation, 'action=join', `user_id=${user}`)).out[0]);
    expect((await run('member:list', conversation)).out).toEqual([`${member} | JOINED | ${user} | John`]);
    proxy.requests.length = 0;
    const removed = await run('member:remove', conversation, member);
    expect(removed).toMatchObject({ code: 0, out: [`Member removed: ${member}`] });
    expect(proxy.requests[0]).toMatchObject({
      method: 'PATCH',
      url: `/v1/conversations/${conversation}/members/${member}`,
      body: { state: 'left' },
    });
    const listed = JSON.parse((await run('member:list', conversation, '--json')).stdout) as {
      state: string;
    }[];
    expect(listed.map((m) => m.state)).toEqual(['LEFT']);
  });

  it.each([
    [['action=join', "channel={type:'app'}"], /^Error: channel is not valid JSON: /],
    [['channel="app"'], /^Error: channel must be a JSON object with a "type"/],
    [['action=leave'], /^Error: action must be join or invite, got "leave" \(cli:error:invalid-argument\)$/],
    [
      ['member=MEM-1'],
      /^Error: unknown key "member" for member:add \(accepted: action, channel, user_id\) \(cli:error:invalid-argument\)$/,
    ],
  ])('rejects %j with one line, exit 1 and no request', async (params, message) => {
    const { proxy, run, conversation, user } = await withConversationAndUser();
    const added = await run('member:add', conversation, `user_id=${user}`, ...params);
    expect(added.code).toBe(1);
    expect(added.out).toEqual([]);
    expect(added.err).toHaveLength(1);
    expect(added.err[0]).toMatch(message);
    expect(proxy.requests).toEqual([]);
  });

  it('needs user_id', async () => {
    const { run, conversation } = await withConversationAndUser();
    expect(await run('member:add', conversation, 'action=join')).toMatchObject({
      code: 1,
      err: ['Error: member:add needs user_id=… (cli:error:invalid-argument)'],
    });
  });

  it('reports unknown conversations, users and members with the server detail and code', async () => {
    const { run, conversation, user } = await withConversationAndUser();
    expect((await run('member:add', 'CON-nope', `user_id=${user}`)).err).toEqual([
      'Error: Conversation CON-nope not found (conversation:error:not-found)',
    ]);
    expect((await run('member:add', conversation, 'user_id=USR-nope')).err).toEqual([
      'Error: User USR-nope not found (user:error:not-found)',
    ]);
    expect(await run('member:remove', conversation, 'MEM-nope')).toMatchObject({
      code: 2,
      err: ['Error: Member not found (member:error:not-found)'],
    });
    expect((await run('member:list', 'CON-nope')).code).toBe(2);
  });
});
