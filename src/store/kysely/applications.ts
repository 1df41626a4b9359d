import type { Store } from '../store.js';
import { BY_CREATED, pageBy } from './keyset.js';
import { toApplication } from './row-mappers.js';
import { applicationRow } from './row-writers.js';
import type { SqlScope } from './sql-scope.js';

export type Applications = Pick<
  Store,
  'createApplication' | 'getApplication' | 'listApplications' | 'deleteApplication'
>;

/** The applications table; deleting one cascades to everything in it (foreign keys). */
export function applications(scope: SqlScope): Applications {
  const table = () => scope.db.selectFrom('applications').selectAll();
  return {
    createApplication: (app) => scope.create('applications', applicationRow(app), toApplication),
    getApplication: (id) => scope.find(table().where('id', '=', id), toApplication),
    listApplications: (page) => pageBy(table(), page, BY_CREATED, toApplication),
    deleteApplication: (id) => scope.remove(scope.db.deleteFrom('applications').where('id', '=', id)),
  };
}
