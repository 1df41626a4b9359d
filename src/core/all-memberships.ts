import type { MemberState } from '../store/records.js';
import type { Membership, Store } from '../store/store.js';

/** Every conversation the user has a member in, in one of `states`, read page by page. */
export async function allMemberships(
  store: Store,
  userId: string,
  states: MemberState[],
): Promise<Membership[]> {
  const all: Membership[] = [];
  let after: string | undefined;
  do {
    const page = await store.listUserConversations(userId, { limit: 100, order: 'asc', after }, { states });
    all.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return all;
}
