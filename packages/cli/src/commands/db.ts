import { createDb, DEFAULT_PGLITE_DIR, migrate } from '@ballast/db';
import type { Command } from 'commander';

interface MigrateOptions {
  readonly pgliteDir: string;
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
    .action((options: MigrateOptions) => migrateCommand(options));
}

async function migrateCommand(options: MigrateOptions): Promise<void> {
  // createDb's errors name the URL with its password masked, so they are safe to print as they are.
  const handle = await createDb({ url: process.env.DATABASE_URL, pgliteDir: options.pgliteDir, poolSize: 1 });
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
