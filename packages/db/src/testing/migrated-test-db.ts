import { createTestDatabase } from '@ballast/testkit';
import type { Kysely } from 'kysely';
import { createDb } from '../create-db';
import type { Database } from '../database';
import { migrate } from '../migrate';

export interface MigratedTestDb {
  readonly db: Kysely<Database>;
  /** Closes the pool and drops the database. */
  close(): Promise<void>;
}

/** A database of one test file's own on the test server (DATABASE_URL), migrated. */
export async function migratedTestDb(label: string): Promise<MigratedTestDb> {
  const testDb = await createTestDatabase(label);
  try {
    const { db } = await createDb({ url: testDb.url, poolSize: 2 });
    await migrate(db).catch(async (err: unknown) => {
      await db.destroy();
      throw err;
    });
    return {
      db,
      async close() {
        await db.destroy();
        await testDb.drop();
      },
    };
  } catch (err) {
    await testDb.drop();
    throw err;
  }
}
