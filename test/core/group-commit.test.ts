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

/** Collects what the group commit logs. */
function recordingLogger() {
  const lines: { obj: object; msg: string }[] = [];
  return { lines, logger: { error: (obj: object, msg: string) => void lines.push({ obj, msg }) } };
}

async function roomWith(store: Store, states: ('JOINED' | 'LEFT')[]) {
  const app = await store.createApplication(newApplication());
  const conversation = await store.createConversation(newConversation(app.id));
  const members = [];
  for (const state of states) {
    const user = await store.createUser(newUser(app.id));
    members.push(await store.createMember(newMember(conversation.id, user.id, { state })));
  }
  return { conversation, members };
}

describe('GroupCommit', () => {
  it('commits a burst in one transaction, refusing only the sender who is no longer a member', async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    try {
      const { conversation, members } = await roomWith(store, ['JOINED', 'LEFT', 'JOINED']);
      const { wrapped, calls } = counting(store);
      const { logger, lines } = recordingLogger();
      const commits = new GroupCommit(wrapped, logger);
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
      expect(lines).toEqual([]);
      expect((await store.getConversation(conversation.id))?.lastEventId).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('logs a failed batch once, then commits each append on its own so one failure fails only its sender', async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    try {
      const { conversation, members } = await roomWith(store, ['JOINED', 'JOINED', 'JOINED']);
      const { wrapped, calls } = counting(store);
      // The batch transaction fails as a broken connection would; single appends still work, except one.
      const broken = new Error('connection reset');
      wrapped.transaction = () => {
        calls.transactions++;
        return Promise.reject(broken);
      };
      const poisoned = new Error('disk full for this one');
      wrapped.appendEvents = (cid, events, at, guard) => {
        calls.singles++;
        if (events[0]?.body.text === 'm1') return Promise.reject(poisoned);
        return store.appendEvents(cid, events, at, guard);
      };
      const { logger, lines } = recordingLogger();
      const commits = new GroupCommit(wrapped, logger);
      const [a, failed, c] = await Promise.allSettled(
        members.map((m, i) =>
          commits.append(conversation.id, [text(m.id, `m${i}`)], { memberId: m.id, userId: m.userId }),
        ),
      );
      expect(a).toMatchObject({ status: 'fulfilled', value: [{ id: 1, body: { text: 'm0' } }] });
      expect(failed).toEqual({ status: 'rejected', reason: poisoned });
      expect(c).toMatchObject({ status: 'fulfilled', value: [{ id: 2, body: { text: 'm2' } }] });
      expect(calls).toEqual({ transactions: 1, singles: 3 });
      expect(lines).toEqual([
        { obj: { err: broken, items: 3 }, msg: expect.stringContaining('group commit') },
      ]);
    } finally {
      await store.close();
    }
  });
});
