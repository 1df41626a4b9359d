import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/store/records.js';
import type { Store } from '../../src/store/store.js';
import {
  at,
  newApplication,
  newConversation,
  newMember,
  newUser,
  rejectsWith,
  text,
} from './store-contract.js';

/** An imported event: its own id, timestamp and (possibly) deletion, as a dump gives them. */
const imported = (conversationId: string, id: number, over: Partial<EventRecord> = {}): EventRecord => ({
  conversationId,
  id,
  type: 'text',
  from: null,
  body: { text: `imported ${id}` },
  timestamp: at(id),
  deleted: null,
  clientRef: null,
  ...over,
});

/** The import writes of the contract; `store` is the fresh store of the running test. */
export function describeImportWrites(store: () => Store): void {
  describe('import writes', () => {
    async function seed() {
      const s = store();
      const app = await s.createApplication(newApplication());
      const conversation = await s.createConversation(newConversation(app.id, { name: 'imported' }));
      const user = await s.createUser(newUser(app.id, { name: 'alice' }));
      return { s, app, conversation, user };
    }

    it('finds many objects by id at once and leaves out ids it does not know', async () => {
      const { s, app, conversation, user } = await seed();
      // More ids than one `in (…)` list takes; one transaction keeps the setup quick.
      const more = await s.transaction(async (tx) => {
        const created = [];
        for (let i = 0; i < 600; i++) created.push(await tx.createUser(newUser(app.id)));
        return created;
      });
      const found = await s.findUsers([...more.map((u) => u.id), 'USR-missing', user.id, user.id]);
      expect(new Set(found.map((u) => u.id))).toEqual(new Set([...more.map((u) => u.id), user.id]));
      expect(found).toHaveLength(601);
      expect(await s.findConversations([conversation.id, 'CON-missing'])).toEqual([conversation]);
      const member = await s.createMember(newMember(conversation.id, user.id));
      expect(await s.findMembers([member.id])).toEqual([member]);
      expect(await s.findUsers([])).toEqual([]);
    });

    it('stores a user with its own id and creation time, and replaces it only within its application', async () => {
      const { s, app } = await seed();
      const given = newUser(app.id, { id: 'USR-kept', name: 'kept', created: '2025-03-01T10:00:00.000Z' });
      expect(await s.putUser(given)).toBe(true);
      expect(await s.getUser('USR-kept')).toEqual(given);
      const renamed = { ...given, displayName: 'Kept', customData: { tier: 'gold' } };
      expect(await s.putUser(renamed)).toBe(true);
      expect(await s.getUser('USR-kept')).toEqual(renamed);

      const other = await s.createApplication(newApplication());
      expect(await s.putUser({ ...given, applicationId: other.id, name: 'thief' })).toBe(false);
      expect(await s.getUser('USR-kept')).toEqual(renamed);
      await rejectsWith(s.putUser(newUser(app.id, { name: 'alice' })), 'user:error:duplicate-name');
    });

    it('stores a conversation as given and never lowers its event counter', async () => {
      const { s, app, conversation } = await seed();
      const given = newConversation(app.id, {
        id: 'CON-kept',
        name: 'history',
        created: '2025-01-01T00:00:00.000Z',
        updated: '2025-02-01T00:00:00.000Z',
        lastEventId: 7,
      });
      expect(await s.putConversation(given)).toBe(true);
      expect(await s.getConversation('CON-kept')).toEqual(given);
      expect(await s.putConversation({ ...given, displayName: 'History', lastEventId: 3 })).toBe(true);
      expect(await s.getConversation('CON-kept')).toMatchObject({ displayName: 'History', lastEventId: 7 });
      const other = await s.createApplication(newApplication());
      expect(await s.putConversation({ ...given, applicationId: other.id })).toBe(false);
      await rejectsWith(
        s.putConversation(newConversation(app.id, { name: conversation.name })),
        'conversation:error:duplicate-name',
      );
    });

    it('stores a member as given, and never moves it to another conversation', async () => {
      const { s, app, conversation, user } = await seed();
      const member = newMember(conversation.id, user.id, {
        id: 'MEM-kept',
        state: 'LEFT',
        timestamps: { joined: '2025-01-02T00:00:00.000Z', left: '2025-01-03T00:00:00.000Z' },
        created: '2025-01-02T00:00:00.000Z',
      });
      expect(await s.putMember(member)).toBe(true);
      expect(await s.getMember('MEM-kept')).toEqual(member);
      const other = await s.createConversation(newConversation(app.id));
      expect(await s.putMember({ ...member, conversationId: other.id })).toBe(false);
      expect(await s.getMember('MEM-kept')).toEqual(member);
      await rejectsWith(s.putMember(newMember(conversation.id, user.id)), 'member:error:already-member');
    });

    it('stores events under their own ids and times, and the next append follows the highest', async () => {
      const { s, conversation } = await seed();
      const events = [3, 1, 2, 5].map((id) => imported(conversation.id, id));
      const deleted = imported(conversation.id, 4, { body: {}, deleted: at(40) });
      await s.putEvents(conversation.id, [...events, deleted]);
      const listed = await s.listEvents(conversation.id, { limit: 10, order: 'asc' });
      expect(listed.items).toEqual(
        [1, 2, 3, 4, 5].map((id) => (id === 4 ? deleted : imported(conversation.id, id))),
      );
      expect(await s.findEvents(conversation.id, [5, 9, 1])).toEqual(
        [1, 5].map((id) => imported(conversation.id, id)),
      );
      // A run of ids is looked up as a range of the key: ids inside it that were not asked for stay out.
      expect((await s.findEvents(conversation.id, [5, 3, 2])).map((event) => event.id)).toEqual([2, 3, 5]);
      expect((await s.getConversation(conversation.id))?.lastEventId).toBe(5);
      const [next] = await s.appendEvents(conversation.id, [text(null, 'after')], at(100));
      expect(next?.id).toBe(6);

      await s.putEvents(conversation.id, [imported(conversation.id, 2, { body: { text: 'replaced' } })]);
      expect((await s.getEvent(conversation.id, 2))?.body).toEqual({ text: 'replaced' });
      expect((await s.getConversation(conversation.id))?.lastEventId).toBe(6);
    });

    it('refuses a clientRef its sender already used, writing nothing, and the transaction goes on', async () => {
      const { s, conversation } = await seed();
      await s.putEvents(conversation.id, [imported(conversation.id, 1, { from: 'MEM-a', clientRef: 'r1' })]);
      const after = await s.transaction(async (tx) => {
        await rejectsWith(
          tx.putEvents(conversation.id, [
            imported(conversation.id, 2),
            imported(conversation.id, 3, { from: 'MEM-a', clientRef: 'r1' }),
          ]),
          'http:error:validation-fail',
        );
        await tx.putEvents(conversation.id, [imported(conversation.id, 2)]);
        return tx.listEvents(conversation.id, { limit: 10, order: 'asc' });
      });
      expect(after.items.map((event) => event.id)).toEqual([1, 2]);
      expect((await s.getConversation(conversation.id))?.lastEventId).toBe(2);
    });
  });
}
