import type { Updateable } from 'kysely';
import type { UsersTable } from '../database.js';
import type { Store } from '../store.js';
import { BY_CREATED, pageBy } from './keyset.js';
import { toUser } from './row-mappers.js';
import { profileChanges, userRow } from './row-writers.js';
import type { SqlScope } from './sql-scope.js';

export type Users = Pick<
  Store,
  'createUser' | 'getUser' | 'getUserByName' | 'listUsers' | 'updateUser' | 'deleteUser'
>;

/** The users table: a name is unique within its application. */
export function users(scope: SqlScope): Users {
  const table = () => scope.db.selectFrom('users').selectAll();
  const inApp = (applicationId: string) => table().where('application_id', '=', applicationId);
  const getUser = (id: string) => scope.find(table().where('id', '=', id), toUser);
  return {
    createUser: (user) => scope.create('users', userRow(user), toUser, 'user:error:duplicate-name'),
    getUser,
    getUserByName: (applicationId, name) => scope.find(inApp(applicationId).where('name', '=', name), toUser),
    listUsers(applicationId, page, filter) {
      const name = filter?.name;
      const query = name === undefined ? inApp(applicationId) : inApp(applicationId).where('name', '=', name);
      return pageBy(query, page, BY_CREATED, toUser);
    },
    updateUser(id, patch) {
      const values: Updateable<UsersTable> = profileChanges(patch);
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.channels !== undefined) values.channels = JSON.stringify(patch.channels);
      // An empty patch changes nothing, and an UPDATE with no SET list is not valid SQL.
      if (Object.keys(values).length === 0) return getUser(id);
      return scope.update(
        scope.db.updateTable('users').set(values).where('id', '=', id).returningAll(),
        toUser,
        'user:error:duplicate-name',
      );
    },
    deleteUser: (id) => scope.remove(scope.db.deleteFrom('users').where('id', '=', id)),
  };
}
