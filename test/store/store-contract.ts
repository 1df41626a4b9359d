import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ParleyError, type ErrorCode } from '../../src/protocol/errors.js';
import { encodeCursor } from '../../src/store/cursor.js';
import type {
  ApplicationRecord,
  ConversationRecord,
  MemberRecord,
  NewEvent,
  Order,
  Page,
  UserRecord,
} from '../../src/store/records.js';
import type { Store } from '../../src/store/store.js';
import { describeImportWrites } from './import-writes-contract.js';

/** ISO time `seconds` after a fixed origin, so tests control ordering and ties. */
export const at = (seconds: number): string => new Date(Date.UTC(2024, 0, 1) + seconds * 1000).toISOString();

export const newApplication = (over: Partial<ApplicationRecord> = {}): ApplicationRecord => ({
  id: randomUUID(),
  name: 'Test app',
  publicKey: '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----',
  answerUrl: null,
  eventUrl: null,
  type: 'rtc',
  created: at(0),
  ...over,
});

export const newUser = (applicationId: string, over: Partial<UserRecord> = {}): UserRecord => ({
  id: randomUUID(),
  applicationId,
  name: `user-${randomUUID()}`,
  displayName: null,
  imageUrl: null,
  customData: {},
  channels: {},
  created: at(0),
  ...over,
});

export const newConversation = (
  applicationId: string,
  over: Partial<ConversationRecord> = {},
): ConversationRecord => ({
  id: randomUUID(),
  applicationId,
  name: null,
  displayName: null,
  imageUrl: null,
  createdBy: null,
  state: 'ACTIVE',
  joinPolicy: 'open',
  customData: {},
  lastEventId: 0,
  ttl: null,
  type: null,
  customSortKey: null,
  numbers: null,
  callback: null,
  created: at(0),
  updated: at(0),
  ...over,
});

export const newMember = (
  conversationId: string,
  userId: string,
  over: Partial<MemberRecord> = {},
): MemberRecord => ({
  id: randomUUID(),
  conversationId,
  userId,
  state: 'JOINED',
  role: 'member',
  muted: false,
  timestamps: { joined: at(0) },
  channel: { type: 'app' },
  invitedBy: null,
  created: at(0),
  ...over,
});

export const text = (from: string | null, body: string, clientRef?: string): NewEvent => ({
  type: 'text',
  from,
  body: { text: body },
  ...(clientRef === undefined ? {} : { clientRef }),
});

export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ParleyError);
  expect((error as ParleyError).code).toBe(code);
}

/** Follows `next` to the end, checking every page is non-empty, within the limit and full unless last. */
async function walk<T>(limit: number, fetch: (after: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await fetch(after);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (pages > 0) expect(page.items.length).toBeGreaterThan(0);
    items.push(...page.items);
    if (page.next === undefined) return items;
    expect(page.items).toHaveLength(limit);
    after = page.next;
  }
  throw new Error('pagination never ended');
}

const byCreatedThenId = (a: { created: string; id: string }, b: { created: string; id: string }): number =>
  a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** Expected order of records keyed by (created, id), as the store must return them. */
function sortedKeys<T extends { created: string; id: string }>(records: T[], order: Order): string[] {
  const sorted = [...records].sort(byCreatedThenId).map((r) => r.id);
  return order === 'asc' ? sorted : sorted.reverse();
}

export type StoreBackend = 'sqlite' | 'postgres';

const BACKENDS: readonly string[] = ['sqlite', 'postgres'] satisfies StoreBackend[];

/** Whether PARLEY_TEST_STORES (comma-separated, default every backend) selects the tests of `backend`. */
export function storeSelected(backend: StoreBackend): boolean {
  const listed = (process.env.PARLEY_TEST_STORES ?? BACKENDS.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = listed.filter((name) => !BACKENDS.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `PARLEY_TEST_STORES names unknown stores: ${unknown.join(', ')} (known: ${BACKENDS.join(', ')})`,
    );
  }
  return listed.includes(backend);
}

const PAGE_SIZES = [1, 2, 7] as const;
const ORDERS: readonly Order[] = ['asc', 'desc'];

/**
 * Behaviour every `Store` backend must show. A backend's test file calls this with a function that opens a
 * fresh, migrated store; each test opens its own and closes it afterwards.
 */
export function runStoreContract(label: string, open: () => Promise<Store>): void {
  describe(`Store contract (${label})`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await open();
    });

    afterEach(async () => {
      await store.close();
    });

    /** An application with one conversation and `users` users joined to it. */
    async function seed(users = 2) {
      const app = await store.createApplication(newApplication());
      const conversation = await store.createConversation(newConversation(app.id, { name: 'general' }));
      const members: MemberRecord[] = [];
      for (let i = 0; i < users; i++) {
        const user = await store.createUser(newUser(app.id));
        members.push(await store.createMember(newMember(conversation.id, user.id)));
      }
      return { app, conversation, members };
    }

    describeImportWrites(() => store);

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    describe('settings', () => {
      it('returns undefined for a setting never written', async () => {
        expect(await store.getSetting('missing')).toBeUndefined();
      });

      it('stores a setting and overwrites it on the next put', async () => {
        await store.putSetting('jwt-secret', 'one');
        expect(await store.getSetting('jwt-secret')).toBe('one');
        await store.putSetting('jwt-secret', 'two');
        expect(await store.getSetting('jwt-secret')).toBe('two');
      });
    });

    describe('applications', () => {
      it('returns an application exactly as it was created', async () => {
        const app = newApplication({ answerUrl: 'https://example.com/answer', eventUrl: null });
        expect(await store.createApplication(app)).toEqual(app);
        expect(await store.getApplication(app.id)).toEqual(app);
      });

      it('returns undefined for an unknown application', async () => {
        expect(await store.getApplication(randomUUID())).toBeUndefined();
      });

      it('deletes an application once and reports whether it existed', async () => {
        const app = await store.createApplication(newApplication());
        expect(await store.deleteApplication(app.id)).toBe(true);
        expect(await store.getApplication(app.id)).toBeUndefined();
        expect(await store.deleteApplication(app.id)).toBe(false);
      });
    });

    describe('users', () => {
      it('returns a user exactly as it was created, by id and by name', async () => {
        const app = await store.createApplication(newApplication());
        const user = newUser(app.id, {
          name: 'alice',
          displayName: 'Alice',
          imageUrl: 'https://example.com/a.png',
          customData: { team: 'blue', nested: { level: 2, tags: ['a', 'b'] } },
        });
        expect(await store.createUser(user)).toEqual(user);
        expect(await store.getUser(user.id)).toEqual(user);
        expect(await store.getUserByName(app.id, 'alice')).toEqual(user);
        expect(await store.getUserByName(app.id, 'bob')).toBeUndefined();
      });

      it('comes back with empty custom data as an empty object', async () => {
        const app = await store.createApplication(newApplication());
        const user = await store.createUser(newUser(app.id));
        expect((await store.getUser(user.id))?.customData).toEqual({});
      });

      it('refuses a second user with the same name in one application', async () => {
        const app = await store.createApplication(newApplication());
        await store.createUser(newUser(app.id, { name: 'alice' }));
        await rejectsWith(store.createUser(newUser(app.id, { name: 'alice' })), 'user:error:duplicate-name');
      });

      it('allows the same user name in two applications', async () => {
        const one = await store.createApplication(newApplication());
        const two = await store.createApplication(newApplication());
        await store.createUser(newUser(one.id, { name: 'alice' }));
        await store.createUser(newUser(two.id, { name: 'alice' }));
        expect((await store.getUserByName(one.id, 'alice'))?.applicationId).toBe(one.id);
        expect((await store.getUserByName(two.id, 'alice'))?.applicationId).toBe(two.id);
      });

      it('updates only the fields a patch names', async () => {
        const app = await store.createApplication(newApplication());
        const user = await store.createUser(newUser(app.id, { displayName: 'Old', customData: { a: 1 } }));
        const updated = await store.updateUser(user.id, { displayName: null, customData: { b: 2 } });
        expect(updated).toEqual({ ...user, displayName: null, customData: { b: 2 } });
        expect(await store.getUser(user.id)).toEqual(updated);
        expect(await store.updateUser(user.id, {})).toEqual(updated);
      });

      it('refuses to rename a user to a name taken in the same application', async () => {
        const app = await store.createApplication(newApplication());
        await store.createUser(newUser(app.id, { name: 'alice' }));
        const bob = await store.createUser(newUser(app.id, { name: 'bob' }));
        await rejectsWith(store.updateUser(bob.id, { name: 'alice' }), 'user:error:duplicate-name');
        expect((await store.getUser(bob.id))?.name).toBe('bob');
      });

      it('returns undefined when updating or deleting an unknown user', async () => {
        expect(await store.updateUser(randomUUID(), { displayName: 'x' })).toBeUndefined();
        expect(await store.deleteUser(randomUUID())).toBe(false);
      });

      it('filters the user list by exact name', async () => {
        const app = await store.createApplication(newApplication());
        const alice = await store.createUser(newUser(app.id, { name: 'alice' }));
        await store.createUser(newUser(app.id, { name: 'alicia' }));
        const page = await store.listUsers(app.id, { limit: 10, order: 'asc' }, { name: 'alice' });
        expect(page).toEqual({ items: [alice] });
      });

      it('lists only the users of the given application', async () => {
        const one = await store.createApplication(newApplication());
        const two = await store.createApplication(newApplication());
        const mine = await store.createUser(newUser(one.id));
        await store.createUser(newUser(two.id));
        expect(await store.listUsers(one.id, { limit: 10, order: 'asc' })).toEqual({ items: [mine] });
      });
    });

    describe('conversations', () => {
      it('returns a conversation exactly as it was created', async () => {
        const app = await store.createApplication(newApplication());
        const conversation = newConversation(app.id, {
          name: 'general',
          displayName: 'General',
          customData: { topic: 'anything' },
        });
        expect(await store.createConversation(conversation)).toEqual(conversation);
        expect(await store.getConversation(conversation.id)).toEqual(conversation);
      });

      it('refuses a second conversation with the same name in one application', async () => {
        const app = await store.createApplication(newApplication());
        await store.createConversation(newConversation(app.id, { name: 'general' }));
        await rejectsWith(
          store.createConversation(newConversation(app.id, { name: 'general' })),
          'conversation:error:duplicate-name',
        );
      });

      it('allows any number of unnamed conversations', async () => {
        const app = await store.createApplication(newApplication());
        await store.createConversation(newConversation(app.id));
        await store.createConversation(newConversation(app.id));
        const page = await store.listConversations(app.id, { limit: 10, order: 'asc' });
        expect(page.items).toHaveLength(2);
      });

      it('allows the same conversation name in two applications', async () => {
        const one = await store.createApplication(newApplication());
        const two = await store.createApplication(newApplication());
        await store.createConversation(newConversation(one.id, { name: 'general' }));
        await expect(
          store.createConversation(newConversation(two.id, { name: 'general' })),
        ).resolves.toMatchObject({ applicationId: two.id, name: 'general' });
      });

      it('applies a patch and always moves the updated time', async () => {
        const app = await store.createApplication(newApplication());
        const conversation = await store.createConversation(newConversation(app.id, { name: 'general' }));
        const updated = await store.updateConversation(conversation.id, {
          name: null,
          state: 'INACTIVE',
          customData: { x: true },
          updated: at(60),
        });
        expect(updated).toEqual({
          ...conversation,
          name: null,
          state: 'INACTIVE',
          customData: { x: true },
          updated: at(60),
        });
        expect(await store.getConversation(conversation.id)).toEqual(updated);
      });

      it('refuses to rename a conversation to a name taken in the same application', async () => {
        const app = await store.createApplication(newApplication());
        await store.createConversation(newConversation(app.id, { name: 'general' }));
        const other = await store.createConversation(newConversation(app.id, { name: 'random' }));
        await rejectsWith(
          store.updateConversation(other.id, { name: 'general', updated: at(1) }),
          'conversation:error:duplicate-name',
        );
      });

      it('returns undefined when updating an unknown conversation', async () => {
        expect(await store.updateConversation(randomUUID(), { updated: at(1) })).toBeUndefined();
      });
    });

    describe('members', () => {
      it('returns a member exactly as it was created, by id and by user', async () => {
        const { conversation } = await seed(0);
        const user = await store.createUser(newUser(conversation.applicationId));
        const member = newMember(conversation.id, user.id, {
          state: 'INVITED',
          timestamps: { invited: at(5) },
          channel: { type: 'app', from: { type: 'app' } },
          invitedBy: 'alice',
        });
        expect(await store.createMember(member)).toEqual(member);
        expect(await store.getMember(member.id)).toEqual(member);
        expect(await store.getMemberByUser(conversation.id, user.id)).toEqual(member);
      });

      it('refuses to add a user to a conversation twice', async () => {
        const { conversation, members } = await seed(1);
        const userId = members[0]!.userId;
        await rejectsWith(
          store.createMember(newMember(conversation.id, userId)),
          'member:error:already-member',
        );
      });

      it('moves a member to a new state with new timestamps', async () => {
        const { members } = await seed(1);
        const member = members[0]!;
        const timestamps = { joined: at(0), left: at(9) };
        const updated = await store.updateMember(member.id, { state: 'LEFT', timestamps, invitedBy: 'bob' });
        expect(updated).toEqual({ ...member, state: 'LEFT', timestamps, invitedBy: 'bob' });
        expect(await store.getMember(member.id)).toEqual(updated);
        expect(await store.updateMember(randomUUID(), { state: 'LEFT', timestamps })).toBeUndefined();
      });

      it('lists every member in the requested states', async () => {
        const { conversation, members } = await seed(3);
        await store.updateMember(members[1]!.id, { state: 'LEFT', timestamps: { left: at(1) } });
        await store.updateMember(members[2]!.id, { state: 'INVITED', timestamps: { invited: at(1) } });
        const joined = await store.membersInStates(conversation.id, ['JOINED']);
        expect(joined.map((m) => m.id)).toEqual([members[0]!.id]);
        const active = await store.membersInStates(conversation.id, ['JOINED', 'INVITED']);
        expect(active.map((m) => m.id).sort()).toEqual([members[0]!.id, members[2]!.id].sort());
        expect(await store.membersInStates(conversation.id, [])).toEqual([]);
      });

      it("lists a user's conversations with their member in each, filtered by member state", async () => {
        const app = await store.createApplication(newApplication());
        const user = await store.createUser(newUser(app.id));
        const joined = await store.createConversation(newConversation(app.id, { name: 'a' }));
        const left = await store.createConversation(newConversation(app.id, { name: 'b' }));
        const joinedMember = await store.createMember(newMember(joined.id, user.id, { created: at(1) }));
        await store.createMember(newMember(left.id, user.id, { state: 'LEFT', created: at(2) }));
        await store.appendEvents(joined.id, [text(joinedMember.id, 'hi')], at(3));

        const all = await store.listUserConversations(user.id, { limit: 10, order: 'desc' });
        expect(all.items.map((m) => m.conversation.id)).toEqual([left.id, joined.id]);

        const filtered = await store.listUserConversations(
          user.id,
          { limit: 10, order: 'asc' },
          { states: ['JOINED', 'INVITED'] },
        );
        expect(filtered).toEqual({
          items: [
            {
              conversation: { ...joined, lastEventId: 1, updated: at(3) },
              member: joinedMember,
              readState: { lastDeliveredEventId: 0, lastSeenEventId: 0, unreadCount: 0 },
            },
          ],
        });
      });
    });

    describe('deletion', () => {
      it('deleting an application removes its users, conversations, members and events', async () => {
        const { app, conversation, members } = await seed(2);
        await store.appendEvents(conversation.id, [text(members[0]!.id, 'hello')], at(1));
        const other = await seed(1);

        expect(await store.deleteApplication(app.id)).toBe(true);
        expect(await store.getConversation(conversation.id)).toBeUndefined();
        expect(await store.getUser(members[0]!.userId)).toBeUndefined();
        expect(await store.getMember(members[0]!.id)).toBeUndefined();
        expect(await store.getEvent(conversation.id, 1)).toBeUndefined();
        expect(await store.getConversation(other.conversation.id)).toBeDefined();
        expect(await store.getMember(other.members[0]!.id)).toBeDefined();
      });

      it('deleting a conversation removes its members and events but keeps the users', async () => {
        const { conversation, members } = await seed(2);
        await store.appendEvents(conversation.id, [text(members[0]!.id, 'hello')], at(1));
        expect(await store.deleteConversation(conversation.id)).toBe(true);
        expect(await store.getMember(members[0]!.id)).toBeUndefined();
        expect(await store.getEvent(conversation.id, 1)).toBeUndefined();
        expect(await store.getUser(members[0]!.userId)).toBeDefined();
        expect(await store.deleteConversation(conversation.id)).toBe(false);
      });

      it('deleting a user removes their memberships but keeps the conversation', async () => {
        const { conversation, members } = await seed(2);
        expect(await store.deleteUser(members[0]!.userId)).toBe(true);
        expect(await store.getMember(members[0]!.id)).toBeUndefined();
        expect(await store.getMember(members[1]!.id)).toBeDefined();
        expect(await store.getConversation(conversation.id)).toBeDefined();
      });
    });

    describe('pagination', () => {
      // Eleven records whose created times tie in threes, inserted out of order, so the id tiebreak matters.
      const COUNT = 11;
      const createdFor = (i: number): string => at(Math.floor((COUNT - 1 - i) / 3));

      async function expectWalks<T extends { created: string; id: string }>(
        records: T[],
        list: (limit: number, order: Order, after: string | undefined) => Promise<Page<T>>,
      ): Promise<void> {
        for (const order of ORDERS) {
          for (const limit of PAGE_SIZES) {
            const walked = await walk(limit, (after) => list(limit, order, after));
            expect(
              walked.map((r) => r.id),
              `${order}, ${limit} per page`,
            ).toEqual(sortedKeys(records, order));
          }
        }
      }

      it('walks applications in both orders without duplicates or gaps', async () => {
        const apps: ApplicationRecord[] = [];
        for (let i = 0; i < COUNT; i++)
          apps.push(await store.createApplication(newApplication({ created: createdFor(i) })));
        const ours = new Set(apps.map((a) => a.id));
        // The applications table may hold other tests' rows on a shared database: check the whole walk's
        // order and uniqueness, and that ours all appear.
        for (const order of ORDERS) {
          for (const limit of PAGE_SIZES) {
            const walked = await walk(limit, (after) => store.listApplications({ limit, order, after }));
            expect(walked.map((a) => a.id)).toEqual(sortedKeys(walked, order));
            expect(new Set(walked.map((a) => a.id)).size).toBe(walked.length);
            expect(walked.filter((a) => ours.has(a.id)).map((a) => a.id)).toEqual(sortedKeys(apps, order));
          }
        }
      });

      it('walks users in both orders without duplicates or gaps', async () => {
        const app = await store.createApplication(newApplication());
        const users: UserRecord[] = [];
        for (let i = 0; i < COUNT; i++)
          users.push(await store.createUser(newUser(app.id, { created: createdFor(i) })));
        await expectWalks(users, (limit, order, after) => store.listUsers(app.id, { limit, order, after }));
      });

      it('walks conversations in both orders without duplicates or gaps', async () => {
        const app = await store.createApplication(newApplication());
        const conversations: ConversationRecord[] = [];
        for (let i = 0; i < COUNT; i++) {
          conversations.push(
            await store.createConversation(newConversation(app.id, { created: createdFor(i) })),
          );
        }
        await expectWalks(conversations, (limit, order, after) =>
          store.listConversations(app.id, { limit, order, after }),
        );
      });

      it('walks members in both orders without duplicates or gaps', async () => {
        const { conversation } = await seed(0);
        const members: MemberRecord[] = [];
        for (let i = 0; i < COUNT; i++) {
          const user = await store.createUser(newUser(conversation.applicationId));
          members.push(
            await store.createMember(newMember(conversation.id, user.id, { created: createdFor(i) })),
          );
        }
        await expectWalks(members, (limit, order, after) =>
          store.listMembers(conversation.id, { limit, order, after }),
        );
      });

      it("walks a user's conversations in both orders without duplicates or gaps", async () => {
        const app = await store.createApplication(newApplication());
        const user = await store.createUser(newUser(app.id));
        const members: MemberRecord[] = [];
        for (let i = 0; i < COUNT; i++) {
          const conversation = await store.createConversation(
            newConversation(app.id, { created: at(100 - i) }),
          );
          members.push(
            await store.createMember(newMember(conversation.id, user.id, { created: createdFor(i) })),
          );
        }
        await expectWalks(members, async (limit, order, after) => {
          const page = await store.listUserConversations(user.id, { limit, order, after });
          for (const { member, conversation } of page.items)
            expect(conversation.id).toBe(member.conversationId);
          return { ...page, items: page.items.map((m) => m.member) };
        });
      });

      it('walks events by id in both orders without duplicates or gaps', async () => {
        const { conversation, members } = await seed(1);
        const events = await store.appendEvents(
          conversation.id,
          Array.from({ length: COUNT }, (_, i) => text(members[0]!.id, `m${i}`)),
          at(1),
        );
        for (const order of ORDERS) {
          for (const limit of PAGE_SIZES) {
            const walked = await walk(limit, (after) =>
              store.listEvents(conversation.id, { limit, order, after }),
            );
            const ids = events.map((e) => e.id);
            expect(walked.map((e) => e.id)).toEqual(order === 'asc' ? ids : ids.reverse());
          }
        }
      });

      it('gives no next cursor when the last page is exactly full', async () => {
        const app = await store.createApplication(newApplication());
        for (let i = 0; i < 4; i++) await store.createUser(newUser(app.id));
        const first = await store.listUsers(app.id, { limit: 2, order: 'asc' });
        expect(first.next).toBeDefined();
        const second = await store.listUsers(app.id, { limit: 2, order: 'asc', after: first.next });
        expect(second.items).toHaveLength(2);
        expect(second.next).toBeUndefined();
      });

      it('rejects a malformed cursor as a validation failure', async () => {
        const { app, conversation } = await seed(1);
        const usersCursor = encodeCursor([at(0), randomUUID()]);
        const eventsCursor = encodeCursor([3]);
        const bad = [
          store.listUsers(app.id, { limit: 2, order: 'asc', after: 'not a cursor' }),
          store.listUsers(app.id, { limit: 2, order: 'asc', after: eventsCursor }),
          store.listUsers(app.id, { limit: 2, order: 'asc', after: encodeCursor([1, 2]) }),
          store.listEvents(conversation.id, { limit: 2, order: 'asc', after: usersCursor }),
          store.listEvents(conversation.id, { limit: 2, order: 'asc', after: encodeCursor(['3']) }),
          store.listApplications({ limit: 2, order: 'desc', after: '' }),
          store.listMembers(conversation.id, { limit: 2, order: 'asc', after: eventsCursor }),
        ];
        for (const attempt of bad) await rejectsWith(attempt, 'http:error:validation-fail');
      });
    });

    describe('REST fidelity fields', () => {
      it('stores and patches a user’s channels verbatim', async () => {
        const app = await store.createApplication(newApplication());
        const channels = { pstn: [{ number: 447700900000 }], websocket: [{ uri: 'wss://x', headers: {} }] };
        const user = await store.createUser(newUser(app.id, { channels }));
        expect(user.channels).toEqual(channels);
        expect(await store.getUser(user.id)).toEqual(user);
        const updated = await store.updateUser(user.id, { channels: { sms: [{ number: '1' }] } });
        expect(updated).toEqual({ ...user, channels: { sms: [{ number: '1' }] } });
        expect(await store.updateUser(user.id, { displayName: 'D' })).toEqual({
          ...updated,
          displayName: 'D',
        });
      });

      it('stores and patches a conversation’s ttl, numbers and callback, also in membership lists', async () => {
        const app = await store.createApplication(newApplication());
        const callback = { url: 'https://example.com/cb', event_mask: 'member:joined', method: 'POST' };
        const numbers = [{ type: 'phone', number: '447700900000' }];
        const conversation = await store.createConversation(
          newConversation(app.id, { ttl: 60, type: 'chat', customSortKey: 'k1', numbers, callback }),
        );
        expect(conversation).toMatchObject({ ttl: 60, type: 'chat', customSortKey: 'k1', numbers, callback });
        expect(await store.getConversation(conversation.id)).toEqual(conversation);

        const user = await store.createUser(newUser(app.id));
        await store.createMember(newMember(conversation.id, user.id));
        const listed = await store.listUserConversations(user.id, { limit: 10, order: 'asc' });
        expect(listed.items[0]?.conversation).toEqual(conversation);

        const cleared = await store.updateConversation(conversation.id, {
          ttl: null,
          numbers: null,
          callback: null,
          updated: at(5),
        });
        expect(cleared).toEqual({
          ...conversation,
          ttl: null,
          numbers: null,
          callback: null,
          updated: at(5),
        });
        const kept = await store.updateConversation(conversation.id, {
          ttl: 30,
          type: null,
          customSortKey: 'k2',
          updated: at(6),
        });
        expect(kept).toEqual({ ...cleared, ttl: 30, type: null, customSortKey: 'k2', updated: at(6) });
      });

      it('filters events by an inclusive timestamp range', async () => {
        const { conversation, members } = await seed(1);
        const from = members[0]!.id;
        for (let i = 1; i <= 4; i++)
          await store.appendEvents(conversation.id, [text(from, `${i}`)], at(i * 10));
        const ids = async (dateStart?: string, dateEnd?: string) =>
          (
            await store.listEvents(conversation.id, { limit: 10, order: 'asc', dateStart, dateEnd })
          ).items.map((e) => e.id);
        expect(await ids(at(20), at(30))).toEqual([2, 3]);
        expect(await ids(at(25))).toEqual([3, 4]);
        expect(await ids(undefined, at(10))).toEqual([1]);
      });
    });

    describe('events', () => {
      it('numbers appended events from 1 and moves the conversation forward', async () => {
        const { conversation, members } = await seed(1);
        const from = members[0]!.id;
        const events = await store.appendEvents(conversation.id, [text(from, 'a'), text(null, 'b')], at(7));
        expect(events).toEqual([
          {
            conversationId: conversation.id,
            id: 1,
            type: 'text',
            from,
            body: { text: 'a' },
            timestamp: at(7),
            deleted: null,
            clientRef: null,
          },
          {
            conversationId: conversation.id,
            id: 2,
            type: 'text',
            from: null,
            body: { text: 'b' },
            timestamp: at(7),
            deleted: null,
            clientRef: null,
          },
        ]);
        expect(await store.getEvent(conversation.id, 2)).toEqual(events[1]);
        expect(await store.getConversation(conversation.id)).toMatchObject({
          lastEventId: 2,
          updated: at(7),
        });
      });

      it('keeps ids contiguous under 50 concurrent appends to one conversation', async () => {
        const { conversation, members } = await seed(2);
        const batches = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.appendEvents(
              conversation.id,
              Array.from({ length: (i % 3) + 1 }, (_, j) => text(members[i % 2]!.id, `${i}.${j}`)),
              at(i),
            ),
          ),
        );
        const total = batches.reduce((n, batch) => n + batch.length, 0);
        for (const batch of batches) {
          const ids = batch.map((e) => e.id);
          expect(ids).toEqual(ids.map((_, k) => ids[0]! + k));
        }
        const ids = batches.flat().map((e) => e.id);
        expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, k) => k + 1));
        expect((await store.getConversation(conversation.id))?.lastEventId).toBe(total);
        const stored = await store.listEvents(conversation.id, { limit: 1000, order: 'asc' });
        expect(stored.items.map((e) => e.id)).toEqual(Array.from({ length: total }, (_, k) => k + 1));
      });

      it('returns the original event for a repeated clientRef without using up an id', async () => {
        const { conversation, members } = await seed(2);
        const [alice, bob] = [members[0]!.id, members[1]!.id];
        const [original] = await store.appendEvents(conversation.id, [text(alice, 'first', 'ref-1')], at(1));
        expect(original).toMatchObject({ id: 1, clientRef: 'ref-1' });

        const again = await store.appendEvents(conversation.id, [text(alice, 'retry', 'ref-1')], at(2));
        expect(again).toEqual([original]);
        expect(await store.getConversation(conversation.id)).toMatchObject({
          lastEventId: 1,
          updated: at(1),
        });

        const mixed = await store.appendEvents(
          conversation.id,
          [text(alice, 'x', 'ref-1'), text(alice, 'new'), text(bob, 'same ref, other sender', 'ref-1')],
          at(3),
        );
        expect(mixed.map((e) => e.id)).toEqual([1, 2, 3]);
        expect(mixed[0]).toEqual(original);
        expect(mixed[2]).toMatchObject({ from: bob, clientRef: 'ref-1' });
      });

      it('stores a clientRef once when the same send races itself', async () => {
        const { conversation, members } = await seed(1);
        const from = members[0]!.id;
        const sends = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.appendEvents(conversation.id, [text(from, `try ${i}`, 'race')], at(i)),
          ),
        );
        const first = sends[0]![0];
        expect(first?.id).toBe(1);
        for (const sent of sends) expect(sent).toEqual([first]);
        expect((await store.getConversation(conversation.id))?.lastEventId).toBe(1);
      });

      it('stores a clientRef repeated within one batch once', async () => {
        const { conversation, members } = await seed(1);
        const from = members[0]!.id;
        const events = await store.appendEvents(
          conversation.id,
          [text(from, 'a', 'dup'), text(from, 'b', 'dup'), text(from, 'c')],
          at(1),
        );
        expect(events.map((e) => e.id)).toEqual([1, 1, 2]);
        expect(events[1]).toEqual(events[0]);
        expect((await store.getConversation(conversation.id))?.lastEventId).toBe(2);
      });

      it('stores each clientRef once when batched transactions race each other and single appends', async () => {
        // The shape group commit gives appends: several sends in turn inside one transaction, while other
        // batches and lone appends carry the same sends. Whatever a backend does to keep those apart (a row
        // lock, or writers that already take turns), every sender must get the one stored event back.
        const { conversation, members } = await seed(2);
        const [alice, bob] = [members[0]!.id, members[1]!.id];
        const sends = (i: number): NewEvent[] => [
          text(alice, `a ${i}`, 'shared'),
          text(bob, `b ${i}`, 'shared'),
          text(alice, `own ${i}`, `own-${i}`),
        ];
        const batch = (i: number) =>
          store.transaction(async (tx) => {
            const out = [];
            for (const send of sends(i)) out.push(...(await tx.appendEvents(conversation.id, [send], at(i))));
            return out;
          });
        const results = await Promise.all([
          ...Array.from({ length: 6 }, (_, i) => batch(i)),
          ...Array.from({ length: 6 }, (_, i) => store.appendEvents(conversation.id, sends(i + 6), at(i))),
        ]);
        const [first] = results;
        for (const events of results) {
          expect(events[0]).toEqual(first![0]);
          expect(events[1]).toEqual(first![1]);
          expect(events[0]).not.toEqual(events[1]);
        }
        const stored = await store.listEvents(conversation.id, { limit: 100, order: 'asc' });
        expect(stored.items.map((e) => e.id)).toEqual(Array.from({ length: 14 }, (_, k) => k + 1));
        expect(new Set(stored.items.map((e) => `${e.from} ${e.clientRef}`)).size).toBe(14);
      });

      it('refuses to append to a conversation that does not exist', async () => {
        await rejectsWith(
          store.appendEvents(randomUUID(), [text(null, 'x')], at(1)),
          'conversation:error:not-found',
        );
        await rejectsWith(
          store.appendEvents(randomUUID(), [text(null, 'x', 'ref')], at(1)),
          'conversation:error:not-found',
        );
        await rejectsWith(store.appendEvents(randomUUID(), [], at(1)), 'conversation:error:not-found');
      });

      it('appends under a guard only while its member is JOINED, writing nothing when refused', async () => {
        const { app, conversation, members } = await seed(2);
        const [alice, bob] = [members[0]!, members[1]!];
        const guardOf = (m: MemberRecord) => ({ memberId: m.id, userId: m.userId });
        const [first] = await store.appendEvents(
          conversation.id,
          [text(alice.id, 'hi')],
          at(1),
          guardOf(alice),
        );
        expect(first).toMatchObject({ id: 1, from: alice.id });

        await store.updateMember(bob.id, { state: 'LEFT', timestamps: { left: at(2) } });
        await rejectsWith(
          store.appendEvents(conversation.id, [text(bob.id, 'gone')], at(3), guardOf(bob)),
          'conversation:error:not-member',
        );
        // A member id that is not the user's own, or not in this conversation, is refused the same way.
        await rejectsWith(
          store.appendEvents(conversation.id, [text(alice.id, 'x')], at(3), {
            ...guardOf(alice),
            userId: bob.userId,
          }),
          'conversation:error:not-member',
        );
        const other = await store.createConversation(newConversation(app.id));
        await rejectsWith(
          store.appendEvents(other.id, [text(alice.id, 'x')], at(3), guardOf(alice)),
          'conversation:error:not-member',
        );
        // A retried clientRef is checked too, though nothing new would be stored.
        await store.appendEvents(conversation.id, [text(alice.id, 'once', 'ref')], at(4), guardOf(alice));
        await store.updateMember(alice.id, { state: 'LEFT', timestamps: { left: at(5) } });
        await rejectsWith(
          store.appendEvents(conversation.id, [text(alice.id, 'once', 'ref')], at(6), guardOf(alice)),
          'conversation:error:not-member',
        );
        await rejectsWith(
          store.appendEvents(randomUUID(), [text(alice.id, 'x')], at(6), guardOf(alice)),
          'conversation:error:not-found',
        );
        expect(await store.getConversation(conversation.id)).toMatchObject({
          lastEventId: 2,
          updated: at(4),
        });
        expect((await store.getConversation(other.id))?.lastEventId).toBe(0);
      });

      it('carries on in a transaction after a refused guarded append', async () => {
        const { conversation, members } = await seed(2);
        const [alice, bob] = [members[0]!, members[1]!];
        await store.updateMember(bob.id, { state: 'LEFT', timestamps: { left: at(1) } });
        const appended = await store.transaction(async (tx) => {
          await rejectsWith(
            tx.appendEvents(conversation.id, [text(bob.id, 'no')], at(2), {
              memberId: bob.id,
              userId: bob.userId,
            }),
            'conversation:error:not-member',
          );
          return tx.appendEvents(conversation.id, [text(alice.id, 'yes')], at(2), {
            memberId: alice.id,
            userId: alice.userId,
          });
        });
        expect(appended.map((e) => e.id)).toEqual([1]);
        expect((await store.listEvents(conversation.id, { limit: 10, order: 'asc' })).items).toEqual(
          appended,
        );
      });

      it('returns undefined for an event that does not exist', async () => {
        const { conversation } = await seed(0);
        expect(await store.getEvent(conversation.id, 1)).toBeUndefined();
      });

      describe('listing', () => {
        async function seedEvents() {
          const { conversation, members } = await seed(1);
          const from = members[0]!.id;
          const types = [
            'member:joined',
            'text',
            'member:left',
            'text',
            'MEMBER:joined',
            'member_x',
            'custom:thing',
            'text',
          ];
          await store.appendEvents(
            conversation.id,
            types.map((type) => ({ type, from, body: {} })),
            at(1),
          );
          return conversation.id;
        }

        const ids = (page: Page<{ id: number }>): number[] => page.items.map((e) => e.id);

        it('limits events to an inclusive id range', async () => {
          const id = await seedEvents();
          expect(ids(await store.listEvents(id, { limit: 100, order: 'asc', startId: 3, endId: 5 }))).toEqual(
            [3, 4, 5],
          );
          expect(ids(await store.listEvents(id, { limit: 100, order: 'desc', startId: 6 }))).toEqual([
            8, 7, 6,
          ]);
          expect(ids(await store.listEvents(id, { limit: 100, order: 'asc', endId: 2 }))).toEqual([1, 2]);
        });

        it('pages within an id range', async () => {
          const id = await seedEvents();
          const walked = await walk(2, (after) =>
            store.listEvents(id, { limit: 2, order: 'desc', startId: 2, endId: 6, after }),
          );
          expect(walked.map((e) => e.id)).toEqual([6, 5, 4, 3, 2]);
        });

        it('filters events by exact type', async () => {
          const id = await seedEvents();
          expect(ids(await store.listEvents(id, { limit: 100, order: 'asc', type: 'text' }))).toEqual([
            2, 4, 8,
          ]);
        });

        it('filters events by a type prefix ending in *', async () => {
          const id = await seedEvents();
          expect(ids(await store.listEvents(id, { limit: 100, order: 'asc', type: 'member:*' }))).toEqual([
            1, 3,
          ]);
        });

        it('leaves deleted events out when asked to', async () => {
          const id = await seedEvents();
          await store.markEventDeleted(id, 2, at(9));
          const page = await store.listEvents(id, {
            limit: 100,
            order: 'asc',
            type: 'text',
            excludeDeleted: true,
          });
          expect(ids(page)).toEqual([4, 8]);
          const withDeleted = await store.listEvents(id, { limit: 100, order: 'asc', type: 'text' });
          expect(ids(withDeleted)).toEqual([2, 4, 8]);
        });
      });

      it('marks an event deleted and empties its body', async () => {
        const { conversation, members } = await seed(1);
        const [event] = await store.appendEvents(
          conversation.id,
          [text(members[0]!.id, 'secret', 'r')],
          at(1),
        );
        const deleted = await store.markEventDeleted(conversation.id, 1, at(5));
        expect(deleted).toEqual({ ...event, body: {}, deleted: at(5) });
        expect(await store.getEvent(conversation.id, 1)).toEqual(deleted);
        expect(await store.markEventDeleted(conversation.id, 99, at(5))).toBeUndefined();
      });
    });

    describe('transactions', () => {
      it('commits everything written in a transaction and returns its result', async () => {
        const app = newApplication();
        const result = await store.transaction(async (tx) => {
          await tx.createApplication(app);
          await tx.createUser(newUser(app.id, { name: 'alice' }));
          return 'done';
        });
        expect(result).toBe('done');
        expect(await store.getUserByName(app.id, 'alice')).toBeDefined();
      });

      it('lets a nested transaction see the outer one and rolls both back when the outer throws', async () => {
        const app = newApplication();
        const user = newUser(app.id);
        const failure = store.transaction(async (tx) => {
          await tx.createApplication(app);
          await tx.transaction(async (inner) => {
            expect(await inner.getApplication(app.id)).toEqual(app);
            await inner.createUser(user);
          });
          expect(await tx.getUser(user.id)).toEqual(user);
          throw new Error('outer failed');
        });
        await expect(failure).rejects.toThrow('outer failed');
        expect(await store.getApplication(app.id)).toBeUndefined();
        expect(await store.getUser(user.id)).toBeUndefined();
      });

      it("rolls back the outer transaction's writes when a nested one throws", async () => {
        const app = newApplication();
        const failure = store.transaction(async (tx) => {
          await tx.createApplication(app);
          await tx.transaction(async (inner) => {
            await inner.createUser(newUser(app.id));
            throw new Error('inner failed');
          });
        });
        await expect(failure).rejects.toThrow('inner failed');
        expect(await store.getApplication(app.id)).toBeUndefined();
      });

      it('rolls back a transaction that fails on a conflict and reports the conflict', async () => {
        const app = await store.createApplication(newApplication());
        await store.createUser(newUser(app.id, { name: 'alice' }));
        const other = newApplication();
        const failure = store.transaction(async (tx) => {
          await tx.createApplication(other);
          await tx.createUser(newUser(app.id, { name: 'alice' }));
        });
        await rejectsWith(failure, 'user:error:duplicate-name');
        expect(await store.getApplication(other.id)).toBeUndefined();
      });

      it('carries on in a transaction after a conflict it caught', async () => {
        const app = await store.createApplication(newApplication());
        const alice = await store.createUser(newUser(app.id, { name: 'alice' }));
        const { bob, found } = await store.transaction(async (tx) => {
          const bob = await tx.createUser(newUser(app.id, { name: 'bob' }));
          await rejectsWith(tx.createUser(newUser(app.id, { name: 'alice' })), 'user:error:duplicate-name');
          return { bob, found: await tx.getUserByName(app.id, 'alice') };
        });
        expect(found).toEqual(alice);
        expect(await store.getUser(bob.id)).toEqual(bob);
      });

      it('gives back event ids appended in a transaction that fails', async () => {
        const { conversation, members } = await seed(1);
        const from = members[0]!.id;
        const failure = store.transaction(async (tx) => {
          await tx.appendEvents(conversation.id, [text(from, 'a'), text(from, 'b')], at(1));
          throw new Error('rolled back');
        });
        await expect(failure).rejects.toThrow('rolled back');
        expect((await store.getConversation(conversation.id))?.lastEventId).toBe(0);
        const [event] = await store.appendEvents(conversation.id, [text(from, 'c')], at(2));
        expect(event?.id).toBe(1);
      });
    });
  });
}
