import { describe, expectTypeOf, it } from 'vitest';
import { REQUEST_TYPES, type PushedEvent, type RequestType } from '../../src/protocol/realtime.js';
import type { RealtimeApi, ReplyOf, RequestOf, StoredEventReply } from '../../src/protocol/realtime-api.js';
import type { Connection } from '../../src/client/connection.js';
import type { ConversationHost } from '../../src/client/conversation.js';
import { REPLY_PARSERS, type OutgoingRequest } from '../../src/client/wire.js';
import type { Handlers } from '../../src/server/realtime/request-handlers.js';
import type { RealtimeSession } from '../../src/server/realtime/realtime-session.js';

// These checks run in `tsc --noEmit` (the test bodies are no-ops at run time).
describe('the typed realtime wire', () => {
  it('describes every request type, and nothing else', () => {
    expectTypeOf<keyof RealtimeApi>().toEqualTypeOf<RequestType>();
    expectTypeOf(REQUEST_TYPES).items.toEqualTypeOf<RequestType>();
  });

  it('gives each request its fields and each reply its body', () => {
    expectTypeOf<RequestOf<'text'>>().toMatchTypeOf<{
      type: 'text';
      tid: string;
      cid: string;
      body: { text: string };
    }>();
    expectTypeOf<RequestOf<'text'>['client_ref']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<ReplyOf<'text'>>().toEqualTypeOf<StoredEventReply>();
    expectTypeOf<ReplyOf<'conversation:events'>>().toEqualTypeOf<PushedEvent[]>();
    expectTypeOf<ReplyOf<'session:login'>>().toHaveProperty('user_id').toEqualTypeOf<string>();
    // @ts-expect-error a text needs its body
    const missingBody: RequestOf<'text'> = { type: 'text', tid: '1', cid: 'CON-1' };
    void missingBody;
  });

  it('types the server: a handler per request, lifecycle requests as session methods', () => {
    expectTypeOf<Handlers['text']>().returns.resolves.toEqualTypeOf<ReplyOf<'text'>>();
    expectTypeOf<Handlers['conversation:get']>().parameter(1).toEqualTypeOf<RequestOf<'conversation:get'>>();
    expectTypeOf<
      keyof Handlers | 'session:login' | 'session:update-token' | 'session:logout' | 'ping'
    >().toEqualTypeOf<RequestType>();
    expectTypeOf<RealtimeSession['login']>().returns.resolves.toEqualTypeOf<ReplyOf<'session:login'>>();
    expectTypeOf<RealtimeSession['updateToken']>().returns.resolves.toEqualTypeOf<
      ReplyOf<'session:update-token'>
    >();
  });

  it('types the SDK: a request is checked against its type, and its reply comes from the map', () => {
    expectTypeOf(REPLY_PARSERS).toEqualTypeOf<{
      [K in RequestType]: (body: unknown, request: OutgoingRequest<K>) => ReplyOf<K>;
    }>();
    expectTypeOf<OutgoingRequest<'text'> & { tid: string }>().branded.toEqualTypeOf<RequestOf<'text'>>();
    // Never called: the calls below are compiled, not run.
    const typed = (host: ConversationHost, connection: Connection): void => {
      expectTypeOf(
        host.request({ type: 'text', cid: 'CON-1', body: { text: 'hi' } }),
      ).resolves.toEqualTypeOf<StoredEventReply>();
      expectTypeOf(host.request({ type: 'conversation:events', cid: 'CON-1' })).resolves.toEqualTypeOf<
        PushedEvent[]
      >();
      expectTypeOf(
        connection.request({ type: 'user:get', body: { user_id: 'USR-1' } }),
      ).resolves.toEqualTypeOf<ReplyOf<'user:get'>>();
      // @ts-expect-error a text needs its body
      void host.request({ type: 'text', cid: 'CON-1' });
      // @ts-expect-error conversation:get names its conversation
      void connection.request({ type: 'conversation:get' });
      // @ts-expect-error user:get asks for a user_id, not a name
      void connection.request({ type: 'user:get', body: { name: 'alice' } });
    };
    void typed;
  });
});
