import type { Store } from '../store.js';
import type { SqlScope } from './sql-scope.js';

export type Settings = Pick<Store, 'getSetting' | 'putSetting'>;

/** Server-wide key/value settings: the API credentials and the demo's seed, kept across restarts. */
export function settings({ db }: SqlScope): Settings {
  return {
    async getSetting(key) {
      const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value;
    },

    async putSetting(key, value) {
      await db
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
  };
}
