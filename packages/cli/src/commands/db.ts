import { setTimeout as sleep } from 'node:timers/promises';
import { createDb, DEFAULT_PGLITE_DIR, migrate } from '@ballast/db';
import { SystemClock } from '@ballast/service-kit';
import type { Command } from 'commander';
import { MIGRATE_DATABASE_WAIT, openDatabaseWaiting } from './wait-for-database';

interface MigrateOptions {
  readonly pgliteDir: string;
  readonly wait: string;
}

/** `ballast db …`: schema commands against DATABASE_URL, or the embedded PGlite database when it is unset. */
export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database schema and maintenance');
  db.command('migrate')
    .description('apply pending migrations (DATABASE_URL, or embedded PGlite when unset)')
    .option(
      '--pglite-dir <dir>',
      'PGlite data directory, used when DATABASE_URL is unset',
      DEFAULT_PGLITE_DIR,
    )
    .option(
      '--wait <seconds>',
      'seconds a database that does not answer yet (refused, unknown host) is tried again for (0: once)',
      String(MIGRATE_DATABASE_WAIT.waitMs / 1000),
    )
    .action((options: MigrateOptions) => migrateCommand(options));
}

function waitSeconds(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`invalid --wait "${raw}": seconds, 0 or more`);
  return value;
}

async function migrateCommand(options: MigrateOptions): Promise<void> {
  // createDb's errors name the URL with its password masked, so they are safe to print as they are.
  // A server still starting (the stack's first `docker compose up`) refuses connections for a while: wait for it.
  const handle = await openDatabaseWaiting(
    () => createDb({ url: process.env.DATABASE_URL, pgliteDir: options.pgliteDir, poolSize: 1 }),
    { ...MIGRATE_DATABASE_WAIT, waitMs: waitSeconds(options.wait) * 1000 },
    {
      clock: new SystemClock(),
      sleep: (ms) => sleep(ms),
      random01: Math.random,
      onRetry: (err, delayMs) =>
        console.error(`database not answering, trying again in ${delayMs} ms: ${err.message}`),
    },
  );
  try {
    console.log(`migrating ${handle.target} (${handle.driver})`);
    const { applied, candlesHypertable } = await migrate(handle.db);
    for (const name of applied) console.log(`  applied ${name}`);
    console.log(applied.length === 0 ? 'schema is up to date' : `${applied.length} migration(s) applied`);
    console.log(
      candlesHypertable ? 'candles: TimescaleDB hypertable' : 'candles: plain table (no TimescaleDB)',
    );
  } finally {
    await handle.db.destroy();
  }
}
