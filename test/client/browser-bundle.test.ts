import { build } from 'esbuild';
import { createContext, runInContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FakeServer, type FakeConversation, type FakeUser } from './fake-server.js';
import { waitFor } from '../support/wait.js';

/** The tutorial's page, minus the DOM: what it does with the global `ConversationClient`. */
const TUTORIAL = `
  const received = [];
  new ConversationClient({ debug: false })
    .login(USER_JWT)
    .then((app) => { result.me = app.me.name; return app.getConversation(YOUR_CONVERSATION_ID); })
    .then((conversation) => {
      conversation.on('text', (sender, message) => {
        received.push(sender.user.name + ': ' + message.body.text + ' @ ' + new Date(Date.parse(message.timestamp)).getFullYear());
      });
      return conversation.sendText('hello from the tutorial');
    })
    .then(() => { result.received = received; })
    .catch((error) => { result.error = String(error); });
`;

describe('the browser bundle', () => {
  let server: FakeServer;
  let john: FakeUser;
  let conv: FakeConversation;
  let bundle: string;

  beforeAll(async () => {
    server = await FakeServer.start();
    john = server.addUser('John');
    conv = server.addConversation('old-school', 'Old School Chat');
    server.setMember(conv, john, 'JOINED');
    const out = await build({
      entryPoints: ['src/client/browser-global.ts'],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: ['es2020'],
    });
    bundle = out.outputFiles[0]?.text ?? '';
  });
  afterAll(() => server.stop());

  it('defines the global ConversationClient and runs the tutorial against the server it was loaded from', async () => {
    const result: { me?: string; received?: string[]; error?: string } = {};
    const context = createContext({
      result,
      USER_JWT: john.token,
      YOUR_CONVERSATION_ID: conv.id,
      WebSocket,
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
      URL,
      // A plain-http page: no crypto.randomUUID outside secure contexts.
      crypto: { getRandomValues: (bytes: Uint8Array) => crypto.getRandomValues(bytes) },
      document: { currentScript: { src: `${server.url}/sdk/conversationClient.js` } },
      location: { origin: 'http://page.example' },
    });
    runInContext(bundle, context);
    expect(typeof runInContext('ConversationClient', context)).toBe('function');
    runInContext(TUTORIAL, context);
    await waitFor(() => result.received?.length === 1 || result.error);
    expect(result.error).toBeUndefined();
    expect(result.me).toBe('John');
    expect(result.received?.[0]).toMatch(/^John: hello from the tutorial @ 20\d\d$/);
    expect(server.requestsOf('session:login')).toHaveLength(1);
  });
});
