import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, PGLITE_IN_MEMORY } from './create-db';
import type { Database } from './database';
import { migrate } from './migrate';
import { migrations } from './migrations';
import { OPEN_TIMEOUT_MS } from './testing/repository-suite';
import { indexNames, tableColumns } from './testing/schema-facts';
import { candlesIsHypertable, timescaleUsable } from './timescale';

const EXPECTED_TABLES = {
  bot_state: ['key', 'updated_at', 'value'],
  candles: [
    'close',
    'close_time',
    'exchange',
    'high',
    'low',
    'open',
    'open_time',
    'symbol',
    'timeframe',
    'volume',
  ],
  event_journal: [
    'causation_id',
    'correlation_id',
    'emitted_at',
    'event_time',
    'id',
    'payload',
    'recorded_at',
    'source',
    'subject',
    'type',
    'version',
  ],
};

function migrationSuite(
  driver: string,
  open: () => Promise<{ db: Kysely<Database>; close(): Promise<void> }>,
) {
  describe(`migrate on ${driver}`, () => {
    let db: Kysely<Database>;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ db, close } = await open());
    }, OPEN_TIMEOUT_MS);

    afterAll(async () => {
      await close?.();
    });

    it('applies every migration in name order on a fresh database', async () => {
      const report = await migrate(db);
      expect(report.applied).toEqual(Object.keys(migrations));
      expect(report.applied.slice(0, 4)).toEqual([
        '0001_candles',
        '0002_candles_hypertable',
        '0003_bot_state',
        '0004_event_journal',
      ]);
      expect(await tableColumns(db)).toEqual(expect.objectContaining(EXPECTED_TABLES));
    });

    it('a second run applies nothing and leaves the schema intact', async () => {
      const report = await migrate(db);
      expect(report.applied).toEqual([]);
      expect(await tableColumns(db)).toEqual(expect.objectContaining(EXPECTED_TABLES));
      expect(await indexNames(db, 'event_journal')).toEqual([
        'event_journal_correlation_id_idx',
        'event_journal_pkey',
        'event_journal_subject_event_time_idx',
      ]);
      expect(await indexNames(db, 'candles')).toContain('candles_pkey');
      expect(await indexNames(db, 'order_slices')).toContain('order_slices_market_created');
      expect(await indexNames(db, 'recon_log')).toContain('recon_log_applied_by_action');
    });

    it('makes candles a hypertable exactly when TimescaleDB is usable, and says so', async () => {
      const usable = await timescaleUsable(db);
      expect(await candlesIsHypertable(db)).toBe(usable);
      expect((await migrate(db)).candlesHypertable).toBe(usable);
    });
  });
}

migrationSuite('PGlite', async () => {
  const { db } = await createDb({ pgliteDir: PGLITE_IN_MEMORY });
  return { db, close: () => db.destroy() };
});

migrationSuite('PostgreSQL', async () => {
  const testDb = await createTestDatabase('db_migrate');
  const { db } = await createDb({ url: testDb.url, poolSize: 2 });
  return {
    db,
    async close() {
      await db.destroy();
      await testDb.drop();
    },
  };
});

describe('a failing migration', () => {
  let testDb: TestDatabase;
  let db: Kysely<Database>;

  beforeAll(async () => {
    testDb = await createTestDatabase('db_migrate_fail');
    ({ db } = await createDb({ url: testDb.url, poolSize: 2 }));
  });

  afterAll(async () => {
    await db?.destroy();
    await testDb?.drop();
  });

  it('fails with reason migration_failed naming the migration, and leaves no partial schema', async () => {
    // A table already in the way of 0003 makes its CREATE TABLE fail.
    await sql`CREATE TABLE bot_state (key text)`.execute(db);
    await expect(migrate(db)).rejects.toMatchObject({
      name: 'DbError',
      reason: 'migration_failed',
      message: expect.stringContaining('migration 0003_bot_state failed'),
    });
    // PostgreSQL runs the whole batch in one transaction: 0001 and 0002 were rolled back too.
    expect(Object.keys(await tableColumns(db))).toEqual(['bot_state']);
  });
});
