import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeClient, socketIoClient, type RawClient } from '../support/realtime-clients.js';
import { signToken, startTestServer, type TestApp, type TestServer } from '../support/test-server.js';

describe('JWT ACL paths on realtime requests', () => {
  let server: TestServer;
  let app: TestApp;
  let cid: string;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp();
    ({ cid } = await server.createRoom(app, ['kevin']));
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await server.stop();
  });

  const usersOnly = { paths: { '/*/users/**': {}, '/*/sessions/**': {} } };
  const readOnly = {
    paths: { '/*/users/**': {}, '/*/conversations/**': { methods: ['GET'] } },
  };

  it.each([
    ['/ws', nativeClient],
    ['/rtc', socketIoClient],
  ] as const)('refuses over %s what the token could not do over REST', async (_path, transport) => {
    const open = async (acl: object) => {
      const client = await transport(server.url);
      clients.push(client);
      const token = await signToken(app, { sub: 'kevin', acl });
      expect((await client.request('session:login', { body: { token } })).type).toBe('session:success');
      return client;
    };
    const noConversations = await open(usersOnly);
    expect((await noConversations.request('text', { cid, body: { text: 'hi' } })).type).toBe(
      'system:error:forbidden-path',
    );
    expect((await noConversations.request('conversation:get', { cid })).type).toBe(
      'system:error:forbidden-path',
    );
    expect((await noConversations.request('user:conversations')).type).toBe('user:conversations:success');

    const reader = await open(readOnly);
    expect((await reader.request('conversation:events', { cid })).type).toBe('conversation:events:success');
    expect((await reader.request('text:typing:on', { cid })).type).toBe('system:error:forbidden-path');
    expect((await reader.request('new:conversation', { body: {} })).type).toBe('system:error:forbidden-path');
  });
});
