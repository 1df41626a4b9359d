import { describe, expectTypeOf, it } from 'vitest';
import { REQUEST_TYPES, type PushedEvent, type RequestType } from '../../src/protocol/realtime.js';
import type { RealtimeApi, ReplyOf, RequestOf, StoredEventReply } from '../../src/protocol/realtime-api.js';
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
});
