import { type Kysely, type MigrationResult, Migrator } from 'kysely';
import type { Database } from './database';
import { DbError } from './db-error';
import { migrations } from './migrations';
import { candlesIsHypertable } from './timescale';

export interface MigrationReport {
  /** Names of the migrations this run applied, in order; empty when the schema was already current. */
  readonly applied: readonly string[];
  /** Whether candles is a TimescaleDB hypertable; a plain table where TimescaleDB is not usable. */
  readonly candlesHypertable: boolean;
}

/** Brings the schema to the latest migration. Safe to run on every start: a second run applies nothing. */
export async function migrate(db: Kysely<Database>): Promise<MigrationReport> {
  // Each area owns a number range (ADR 4), so a migration may land after a higher-numbered one has run.
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    allowUnorderedMigrations: true,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) throw migrationFailed(error, results);
  const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  return { applied, candlesHypertable: await candlesIsHypertable(db) };
}

function migrationFailed(error: unknown, results: readonly MigrationResult[]): DbError {
  const failed = results.find((r) => r.status === 'Error')?.migrationName;
  const where = failed ? `migration ${failed}` : 'migration setup';
  const why = error instanceof Error ? error.message : String(error);
  return new DbError('migration_failed', `${where} failed: ${why}`);
}
