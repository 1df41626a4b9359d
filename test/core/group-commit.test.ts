import { describe, expect, it } from 'vitest';
import { ParleyError } from '../../src/protocol/errors.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { newApplication, newConversation, newMember, newUser, text } from '../store/store-contract.js';
import { GroupCommit } from '../../src/core/group-commit.js';

/** A real store that counts how the group commit used it. */
function counting(store: Store) {
  const calls = { transactions: 0, singles: 0 };
  const wrapped: Store = Object.create(store) as Store;
  wrapped.transaction = (fn) => {
    calls.transactions++;
    return store.transaction(fn);
  };
  wrapped.appendEvents = (...args) => {
    calls.singles++;
    return store.appendEvents(...args);
  };
  return { wrapped, calls };
}

describe('GroupCommit', () => {
  it('commits a burst in one transaction, refusing only the sender who is no longer a member', async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    try {
      const app = await store.createApplication(newApplication());
      const conversation = await store.createConversation(newConversation(app.id));
      const members = [];
      for (const state of ['JOINED', 'LEFT', 'JOINED'] as const) {
        const user = await store.createUser(newUser(app.id));
        members.push(await store.createMember(newMember(conversation.id, user.id, { state })));
      }
      const { wrapped, calls } = counting(store);
      const commits = new GroupCommit(wrapped);
      const sends = members.map((m, i) =>
        commits.append(conversation.id, [text(m.id, `m${i}`)], { memberId: m.id, userId: m.userId }),
      );
      const [a, refused, c] = await Promise.allSettled(sends);
      expect(refused).toMatchObject({ status: 'rejected', reason: expect.any(ParleyError) as unknown });
      expect((refused as PromiseRejectedResult).reason).toMatchObject({
        code: 'conversation:error:not-member',
      });
      expect(a).toMatchObject({ status: 'fulfilled', value: [{ id: 1, body: { text: 'm0' } }] });
      expect(c).toMatchObject({ status: 'fulfilled', value: [{ id: 2, body: { text: 'm2' } }] });
      expect(calls).toEqual({ transactions: 1, singles: 0 });
      expect((await store.getConversation(conversation.id))?.lastEventId).toBe(2);
    } finally {
      await store.close();
    }
  });
});
