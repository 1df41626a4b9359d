import { afterAll, beforeAll, describe } from 'vitest';
import { PostgresMediaStore } from '../../src/store/media/postgres-media-store.js';
import { freshPostgresDatabase, serviceSkipReason } from '../support/services.js';
import { runMediaStoreContract } from './media-store-contract.js';

const skip = await serviceSkipReason('postgres');

describe.skipIf(skip !== undefined)('PostgreSQL media store', () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  beforeAll(async () => {
    database = await freshPostgresDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  runMediaStoreContract('PostgreSQL bytea', () => PostgresMediaStore.open(database.url));
});
