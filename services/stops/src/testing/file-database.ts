import { createDb, type Database, type DbHandle, migrate } from '@ballast/db';
import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll } from 'vitest';

/**
 * One PostgreSQL database (migrated) for the test file that calls this at its top level, dropped
 * after the file; the returned function gives its connection pool.
 */
export function fileDatabase(label: string): () => Kysely<Database> {
  let testDb: TestDatabase | undefined;
  let handle: DbHandle | undefined;
  beforeAll(async () => {
    testDb = await createTestDatabase(label);
    handle = await createDb({ url: testDb.url });
    await migrate(handle.db);
  });
  afterAll(async () => {
    await handle?.db.destroy();
    await testDb?.drop();
  });
  return () => {
    if (!handle) throw new Error('fileDatabase: the database is created in beforeAll');
    return handle.db;
  };
}
