import { expect } from 'vitest';
import type { LogEvent } from 'kysely';
import type { Store } from '../../src/store/store.js';
import { at, newApplication, newConversation, newMember, newUser, text } from './store-contract.js';

/** Records the SQL of every statement a store's Kysely instance runs; pass `log` as its `log` option. */
export function statementLog(): { log: (event: LogEvent) => void; statements: string[] } {
  const statements: string[] = [];
  return { statements, log: (event) => void statements.push(event.query.sql) };
}

/**
 * Checks how many statements write the conversation row when a member sends with a clientRef, as the SDK
 * always does (under the membership guard, as realtime sends are), and when that send is retried.
 */
export async function expectConversationWrites(
  store: Store,
  statements: string[],
  expected: { send: number; retry: number },
): Promise<void> {
  const app = await store.createApplication(newApplication());
  const conversation = await store.createConversation(newConversation(app.id));
  const user = await store.createUser(newUser(app.id));
  const member = await store.createMember(newMember(conversation.id, user.id));
  const guard = { memberId: member.id, userId: user.id };
  const writes = async (send: () => Promise<unknown>): Promise<number> => {
    statements.length = 0;
    await send();
    return statements.filter((sql) => /^update "conversations"/i.test(sql)).length;
  };
  const send = () => store.appendEvents(conversation.id, [text(member.id, 'hi', 'ref-1')], at(1), guard);
  expect(await writes(send)).toBe(expected.send);
  expect(await writes(send)).toBe(expected.retry);
  expect((await store.getConversation(conversation.id))?.lastEventId).toBe(1);
}
