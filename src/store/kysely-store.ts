import { Migrator, sql, type Kysely, type Updateable } from 'kysely';
import { ParleyError, type ErrorCode } from '../protocol/errors.js';
import { appendQueries, type AppendQueries } from './append-queries.js';
import type { ConversationsTable, Database, EventsTable, MembersTable, UsersTable } from './database.js';
import { afterCursor, toPage, type KeyColumn } from './keyset.js';
import { migrationProvider } from './migrations/index.js';
import type {
  AppendGuard,
  ApplicationRecord,
  ConversationRecord,
  EventRecord,
  MemberRecord,
  MemberState,
  NewEvent,
  Page,
  PageQuery,
  UserRecord,
} from './records.js';
import { toApplication, toConversation, toEvent, toMember, toUser } from './row-mappers.js';
import type { ConversationPatch, EventQuery, MemberPatch, Membership, Store, UserPatch } from './store.js';

/** What differs between SQL backends; everything else in `KyselyStore` is SQL that SQLite and PostgreSQL share. */
export interface StoreCapabilities {
  /** Whether a driver error reports a unique or primary-key violation (SQLite `SQLITE_CONSTRAINT_*`, PG 23505). */
  isUniqueViolation(error: unknown): boolean;
  /**
   * Whether a failed statement poisons the rest of its transaction (PostgreSQL) rather than undoing only
   * itself (SQLite). Conflict-prone writes in a transaction then run under a savepoint, so a caller that
   * catches the conflict can carry on in the same transaction on every backend.
   */
  statementErrorAbortsTransaction: boolean;
}

const BY_CREATED: readonly KeyColumn[] = [
  { ref: 'created', kind: 'string' },
  { ref: 'id', kind: 'string' },
];
const MEMBERS_BY_CREATED: readonly KeyColumn[] = [
  { ref: 'members.created', kind: 'string' },
  { ref: 'members.id', kind: 'string' },
];
const BY_ID: readonly KeyColumn[] = [{ ref: 'id', kind: 'number' }];

/** Rows per multi-row insert: far below SQLite's and PostgreSQL's bind-parameter limits. */
const INSERT_CHUNK = 100;

/** The `Store` over any Kysely dialect; a backend supplies the connection and its `StoreCapabilities`. */
export class KyselyStore implements Store {
  private readonly db: Kysely<Database>;
  private readonly capabilities: StoreCapabilities;
  private readonly queries: AppendQueries;

  constructor(db: Kysely<Database>, capabilities: StoreCapabilities, queries = appendQueries(db)) {
    this.db = db;
    this.capabilities = capabilities;
    this.queries = queries;
  }

  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.inTransaction(fn);
  }

  /** The connection, for feature stores (webhooks) whose tables sit beside these and share its one writer. */
  get connection(): Kysely<Database> {
    return this.db;
  }

  /** A store over `db`, migrated; the connection is closed again if migrating fails. */
  static async open(db: Kysely<Database>, capabilities: StoreCapabilities): Promise<Store> {
    const store = new KyselyStore(db, capabilities);
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  async migrate(): Promise<void> {
    const { error, results } = await new Migrator({
      db: this.db,
      provider: migrationProvider,
    }).migrateToLatest();
    if (error === undefined) return;
    const failed = results?.find((result) => result.status === 'Error');
    const what = failed ? `migration ${failed.migrationName}` : 'migrations';
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    throw new Error(`Could not apply database ${what}: ${reason}`, { cause: error });
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  async getSetting(key: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.value;
  }

  async putSetting(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  async createApplication(app: ApplicationRecord): Promise<ApplicationRecord> {
    const row = await this.db
      .insertInto('applications')
      .values({
        id: app.id,
        name: app.name,
        public_key: app.publicKey,
        answer_url: app.answerUrl,
        event_url: app.eventUrl,
        type: app.type,
        created: app.created,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toApplication(row);
  }

  async getApplication(id: string): Promise<ApplicationRecord | undefined> {
    const row = await this.db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toApplication(row);
  }

  async listApplications(page: PageQuery): Promise<Page<ApplicationRecord>> {
    let query = this.db.selectFrom('applications').selectAll();
    const after = afterCursor(page, BY_CREATED);
    if (after) query = query.where(after);
    const rows = await query
      .orderBy('created', page.order)
      .orderBy('id', page.order)
      .limit(page.limit + 1)
      .execute();
    return toPage(rows, page.limit, toApplication, (row) => [row.created, row.id]);
  }

  async deleteApplication(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('applications').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async createUser(user: UserRecord): Promise<UserRecord> {
    const row = await this.conflictAs('user:error:duplicate-name', () =>
      this.db
        .insertInto('users')
        .values({
          id: user.id,
          application_id: user.applicationId,
          name: user.name,
          display_name: user.displayName,
          image_url: user.imageUrl,
          custom_data: JSON.stringify(user.customData),
          created: user.created,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toUser(row);
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  async getUserByName(applicationId: string, name: string): Promise<UserRecord | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('application_id', '=', applicationId)
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toUser(row);
  }

  async listUsers(
    applicationId: string,
    page: PageQuery,
    filter?: { name?: string | undefined },
  ): Promise<Page<UserRecord>> {
    let query = this.db.selectFrom('users').selectAll().where('application_id', '=', applicationId);
    if (filter?.name !== undefined) query = query.where('name', '=', filter.name);
    const after = afterCursor(page, BY_CREATED);
    if (after) query = query.where(after);
    const rows = await query
      .orderBy('created', page.order)
      .orderBy('id', page.order)
      .limit(page.limit + 1)
      .execute();
    return toPage(rows, page.limit, toUser, (row) => [row.created, row.id]);
  }

  async updateUser(id: string, patch: UserPatch): Promise<UserRecord | undefined> {
    const values: Updateable<UsersTable> = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.displayName !== undefined) values.display_name = patch.displayName;
    if (patch.imageUrl !== undefined) values.image_url = patch.imageUrl;
    if (patch.customData !== undefined) values.custom_data = JSON.stringify(patch.customData);
    if (Object.keys(values).length === 0) return this.getUser(id);
    const row = await this.conflictAs('user:error:duplicate-name', () =>
      this.db.updateTable('users').set(values).where('id', '=', id).returningAll().executeTakeFirst(),
    );
    return row && toUser(row);
  }

  async deleteUser(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async createConversation(conversation: ConversationRecord): Promise<ConversationRecord> {
    const row = await this.conflictAs('conversation:error:duplicate-name', () =>
      this.db
        .insertInto('conversations')
        .values({
          id: conversation.id,
          application_id: conversation.applicationId,
          name: conversation.name,
          display_name: conversation.displayName,
          image_url: conversation.imageUrl,
          state: conversation.state,
          custom_data: JSON.stringify(conversation.customData),
          last_event_id: conversation.lastEventId,
          created_by: conversation.createdBy,
          created: conversation.created,
          updated: conversation.updated,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toConversation(row);
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    const row = await this.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toConversation(row);
  }

  async listConversations(applicationId: string, page: PageQuery): Promise<Page<ConversationRecord>> {
    let query = this.db.selectFrom('conversations').selectAll().where('application_id', '=', applicationId);
    const after = afterCursor(page, BY_CREATED);
    if (after) query = query.where(after);
    const rows = await query
      .orderBy('created', page.order)
      .orderBy('id', page.order)
      .limit(page.limit + 1)
      .execute();
    return toPage(rows, page.limit, toConversation, (row) => [row.created, row.id]);
  }

  async listUserConversations(
    userId: string,
    page: PageQuery,
    filter?: { states?: MemberState[] | undefined },
  ): Promise<Page<Membership>> {
    const states = filter?.states;
    if (states?.length === 0) return { items: [] };
    let query = this.db
      .selectFrom('members')
      .innerJoin('conversations', 'conversations.id', 'members.conversation_id')
      .selectAll('members')
      .select([
        'conversations.application_id as c_application_id',
        'conversations.name as c_name',
        'conversations.display_name as c_display_name',
        'conversations.image_url as c_image_url',
        'conversations.state as c_state',
        'conversations.custom_data as c_custom_data',
        'conversations.last_event_id as c_last_event_id',
        'conversations.created_by as c_created_by',
        'conversations.created as c_created',
        'conversations.updated as c_updated',
      ])
      .where('members.user_id', '=', userId);
    if (states !== undefined) query = query.where('members.state', 'in', states);
    const after = afterCursor(page, MEMBERS_BY_CREATED);
    if (after) query = query.where(after);
    const rows = await query
      .orderBy('members.created', page.order)
      .orderBy('members.id', page.order)
      .limit(page.limit + 1)
      .execute();
    const toMembership = (row: (typeof rows)[number]): Membership => ({
      member: toMember(row),
      conversation: toConversation({
        id: row.conversation_id,
        application_id: row.c_application_id,
        name: row.c_name,
        display_name: row.c_display_name,
        image_url: row.c_image_url,
        state: row.c_state,
        custom_data: row.c_custom_data,
        last_event_id: row.c_last_event_id,
        created_by: row.c_created_by,
        created: row.c_created,
        updated: row.c_updated,
      }),
    });
    return toPage(rows, page.limit, toMembership, (row) => [row.created, row.id]);
  }

  async updateConversation(id: string, patch: ConversationPatch): Promise<ConversationRecord | undefined> {
    const values: Updateable<ConversationsTable> = { updated: patch.updated };
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.displayName !== undefined) values.display_name = patch.displayName;
    if (patch.imageUrl !== undefined) values.image_url = patch.imageUrl;
    if (patch.state !== undefined) values.state = patch.state;
    if (patch.customData !== undefined) values.custom_data = JSON.stringify(patch.customData);
    const row = await this.conflictAs('conversation:error:duplicate-name', () =>
      this.db.updateTable('conversations').set(values).where('id', '=', id).returningAll().executeTakeFirst(),
    );
    return row && toConversation(row);
  }

  async deleteConversation(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('conversations').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async createMember(member: MemberRecord): Promise<MemberRecord> {
    const row = await this.conflictAs('member:error:already-member', () =>
      this.db
        .insertInto('members')
        .values({
          id: member.id,
          conversation_id: member.conversationId,
          user_id: member.userId,
          state: member.state,
          timestamps: JSON.stringify(member.timestamps),
          channel: JSON.stringify(member.channel),
          invited_by: member.invitedBy,
          created: member.created,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toMember(row);
  }

  async getMember(id: string): Promise<MemberRecord | undefined> {
    const row = await this.db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toMember(row);
  }

  async getMemberByUser(conversationId: string, userId: string): Promise<MemberRecord | undefined> {
    const row = await this.db
      .selectFrom('members')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row && toMember(row);
  }

  async listMembers(conversationId: string, page: PageQuery): Promise<Page<MemberRecord>> {
    let query = this.db.selectFrom('members').selectAll().where('conversation_id', '=', conversationId);
    const after = afterCursor(page, BY_CREATED);
    if (after) query = query.where(after);
    const rows = await query
      .orderBy('created', page.order)
      .orderBy('id', page.order)
      .limit(page.limit + 1)
      .execute();
    return toPage(rows, page.limit, toMember, (row) => [row.created, row.id]);
  }

  async membersInStates(conversationId: string, states: MemberState[]): Promise<MemberRecord[]> {
    if (states.length === 0) return [];
    const rows = await this.db
      .selectFrom('members')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('state', 'in', states)
      .orderBy('created')
      .orderBy('id')
      .execute();
    return rows.map(toMember);
  }

  async updateMember(id: string, patch: MemberPatch): Promise<MemberRecord | undefined> {
    const values: Updateable<MembersTable> = {
      state: patch.state,
      timestamps: JSON.stringify(patch.timestamps),
    };
    if (patch.invitedBy !== undefined) values.invited_by = patch.invitedBy;
    const row = await this.db
      .updateTable('members')
      .set(values)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toMember(row);
  }

  appendEvents(
    conversationId: string,
    events: NewEvent[],
    timestamp: string,
    guard?: AppendGuard,
  ): Promise<EventRecord[]> {
    return this.inTransaction((tx) => tx.appendInTransaction(conversationId, events, timestamp, guard));
  }

  async getEvent(conversationId: string, id: number): Promise<EventRecord | undefined> {
    const row = await this.db
      .selectFrom('events')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toEvent(row);
  }

  async listEvents(conversationId: string, query: EventQuery): Promise<Page<EventRecord>> {
    let select = this.db.selectFrom('events').selectAll().where('conversation_id', '=', conversationId);
    if (query.startId !== undefined) select = select.where('id', '>=', query.startId);
    if (query.endId !== undefined) select = select.where('id', '<=', query.endId);
    const type = query.type;
    if (type?.endsWith('*')) {
      // substr rather than LIKE: LIKE is case-insensitive on SQLite and treats `_` in type names as a wildcard.
      const prefix = type.slice(0, -1);
      select = select.where((eb) =>
        eb(eb.fn<string>('substr', ['type', eb.lit(1), eb.lit([...prefix].length)]), '=', prefix),
      );
    } else if (type !== undefined) {
      select = select.where('type', '=', type);
    }
    if (query.excludeDeleted) select = select.where('deleted', 'is', null);
    const after = afterCursor(query, BY_ID);
    if (after) select = select.where(after);
    const rows = await select
      .orderBy('id', query.order)
      .limit(query.limit + 1)
      .execute();
    return toPage(rows, query.limit, toEvent, (row) => [Number(row.id)]);
  }

  async markEventDeleted(conversationId: string, id: number, at: string): Promise<EventRecord | undefined> {
    const row = await this.db
      .updateTable('events')
      .set({ deleted: at, body: '{}' })
      .where('conversation_id', '=', conversationId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toEvent(row);
  }

  private inTransaction<T>(fn: (store: KyselyStore) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return this.db.transaction().execute((trx) => fn(new KyselyStore(trx, this.capabilities, this.queries)));
  }

  /** Runs a write, reporting a unique violation as the catalogue's conflict `code`. */
  private async conflictAs<T>(code: ErrorCode, write: () => Promise<T>): Promise<T> {
    const isolate = this.db.isTransaction && this.capabilities.statementErrorAbortsTransaction;
    try {
      return await (isolate ? this.underSavepoint(write) : write());
    } catch (error) {
      if (this.capabilities.isUniqueViolation(error)) throw new ParleyError(code);
      throw error;
    }
  }

  private async underSavepoint<T>(write: () => Promise<T>): Promise<T> {
    await sql`savepoint parley_write`.execute(this.db);
    let result: T;
    try {
      result = await write();
    } catch (error) {
      await sql`rollback to savepoint parley_write`.execute(this.db);
      throw error;
    }
    await sql`release savepoint parley_write`.execute(this.db);
    return result;
  }

  private async appendInTransaction(
    conversationId: string,
    events: NewEvent[],
    timestamp: string,
    guard: AppendGuard | undefined,
  ): Promise<EventRecord[]> {
    const refs = [...new Set(events.flatMap((event) => (event.clientRef == null ? [] : [event.clientRef])))];
    const earlier = new Map<string, EventRecord>();
    if (refs.length > 0) {
      // Lock first, look second: a concurrent send with the same clientRef then waits for this transaction
      // and finds its event, instead of both missing each other and one failing on the unique index. On
      // PostgreSQL that relies on READ COMMITTED, where the select's snapshot is taken after the lock is won.
      await this.lockConversation(conversationId);
      const rows = await this.db
        .selectFrom('events')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .where('client_ref', 'in', refs)
        .execute();
      for (const row of rows) earlier.set(refKey(row.from_member, row.client_ref), toEvent(row));
    }

    // Each input position gets either an already stored event or an index into `fresh`.
    const fresh: NewEvent[] = [];
    const slots: (EventRecord | number)[] = [];
    const freshByRef = new Map<string, number>();
    for (const event of events) {
      const key = event.clientRef == null ? undefined : refKey(event.from, event.clientRef);
      const stored = key === undefined ? undefined : (earlier.get(key) ?? freshByRef.get(key));
      if (stored !== undefined) {
        slots.push(stored);
        continue;
      }
      if (key !== undefined) freshByRef.set(key, fresh.length);
      slots.push(fresh.length);
      fresh.push(event);
    }

    if (fresh.length === 0) {
      if (guard) {
        const member = await this.getMember(guard.memberId);
        if (!isGuardMet(member, conversationId, guard)) throw await this.guardFailure(conversationId);
      } else if (events.length === 0 && !(await this.getConversation(conversationId))) {
        throw conversationNotFound();
      }
      return slots.filter((slot) => typeof slot !== 'number');
    }

    // One increment reserves gapless ids; the guard rides on the same statement.
    const reserve = { count: fresh.length, updated: timestamp, conversation: conversationId };
    const { rows: reserved } = await this.db.executeQuery(
      guard
        ? this.queries.reserveAsMember.bind({ ...reserve, member: guard.memberId, user: guard.userId })
        : this.queries.reserve.bind(reserve),
    );
    const bumped = reserved[0];
    if (!bumped) throw guard ? await this.guardFailure(conversationId) : conversationNotFound();
    const firstId = Number(bumped.last_event_id) - fresh.length + 1;

    const rows: EventsTable[] = fresh.map((event, i) => ({
      conversation_id: conversationId,
      id: firstId + i,
      type: event.type,
      from_member: event.from,
      body: JSON.stringify(event.body),
      timestamp,
      deleted: null,
      client_ref: event.clientRef ?? null,
    }));
    const [only] = rows;
    if (rows.length === 1 && only) {
      await this.db.executeQuery(
        this.queries.insertEvent.bind({
          conversation: only.conversation_id,
          id: only.id,
          type: only.type,
          from: only.from_member,
          body: only.body,
          timestamp: only.timestamp,
          clientRef: only.client_ref,
        }),
      );
    } else {
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await this.db
          .insertInto('events')
          .values(rows.slice(i, i + INSERT_CHUNK))
          .execute();
      }
    }
    const inserted = rows.map(toEvent);
    return slots.map((slot) => (typeof slot === 'number' ? (inserted[slot] ?? missingSlot()) : slot));
  }

  /** Why a guarded append was refused: the conversation is gone, or the member is not JOINED in it. */
  private async guardFailure(conversationId: string): Promise<ParleyError> {
    return (await this.getConversation(conversationId))
      ? new ParleyError('conversation:error:not-member')
      : conversationNotFound();
  }

  /** Takes the conversation row's write lock with a no-op update; throws when there is no such conversation. */
  private async lockConversation(id: string): Promise<void> {
    const row = await this.db
      .updateTable('conversations')
      .set((eb) => ({ last_event_id: eb.ref('last_event_id') }))
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw conversationNotFound();
  }
}

const refKey = (from: string | null, clientRef: string | null): string => JSON.stringify([from, clientRef]);

const isGuardMet = (member: MemberRecord | undefined, conversationId: string, guard: AppendGuard): boolean =>
  member?.conversationId === conversationId && member.userId === guard.userId && member.state === 'JOINED';

const conversationNotFound = (): ParleyError => new ParleyError('conversation:error:not-found');

const missingSlot = (): never => {
  throw new Error('appendEvents lost track of an event');
};
