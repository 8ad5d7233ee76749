import type { Database } from '@ballast/db';
import { type MigratedTestDb, migratedTestDb } from '@ballast/db/testing';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll } from 'vitest';

/**
 * One PostgreSQL database (migrated) for the test file that calls this at its top level, dropped
 * after the file; the returned function gives its connection pool.
 */
export function fileDatabase(label: string): () => Kysely<Database> {
  let database: MigratedTestDb | undefined;
  beforeAll(async () => {
    database = await migratedTestDb(label);
  });
  afterAll(() => database?.close());
  return () => {
    if (!database) throw new Error('fileDatabase: the database is created in beforeAll');
    return database.db;
  };
}
