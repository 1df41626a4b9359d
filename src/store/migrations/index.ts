import type { Migration, MigrationProvider } from 'kysely';
import { initial } from './0001-initial.js';
import { webhooks } from './0002-webhooks.js';
import { media } from './0003-media.js';
import { readState } from './0004-read-state.js';
import { restFidelity } from './0005-rest-fidelity.js';

/** Every migration by name; Kysely applies them in name order, so names start with a zero-padded version. */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-webhooks': webhooks,
  '0003-media': media,
  '0004-read-state': readState,
  '0005-rest-fidelity': restFidelity,
};

/** Migrations live in code rather than in a folder read at run time, so they survive bundling. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...migrations }),
};
