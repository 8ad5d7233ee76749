import { MemoryBus } from '@ballast/bus';
import type { Drift } from '@ballast/core';
import { createDb, DEFAULT_PGLITE_DIR, migrate } from '@ballast/db';
import { buildReconciler, buildVenue, reconConfigSchema } from '@ballast/reconciliation-service';
import { loadConfig, SystemClock, uuidv7Ids } from '@ballast/service-kit';
import type { Command } from 'commander';

export interface ReconOptions {
  venue: string;
  /** Unset: RECON_SYMBOLS, else the reconciliation service's default. */
  symbols?: string | undefined;
  json?: boolean;
  pgliteDir: string;
}

const COLUMNS = ['kind', 'symbol', 'action', 'key', 'evidence'] as const;

/** Drifts as an aligned text table, in the order reconciliation found them. */
export function formatDriftTable(drifts: readonly Drift[]): string {
  const cells = drifts.map((d) => [d.kind, d.symbol ?? '-', d.action, d.key, d.evidence]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: readonly string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** `ballast recon`'s exit code when the venue and our records differ, so a script can tell. */
export const RECON_DRIFTED_EXIT = 2;

/**
 * One comparison of a venue with our records, repairing nothing: the venue through ccxt
 * (EXCHANGE_BASE_URL, EXCHANGE_API_KEY / _SECRET or their _FILE variants, read as the service reads
 * them), our records from DATABASE_URL (else PGlite).
 */
export async function reconOnce(
  options: ReconOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ venue: string; drifts: Drift[] }> {
  const config = loadConfig(reconConfigSchema, {
    ...env,
    RECON_VENUE: options.venue,
    ...(options.symbols === undefined ? {} : { RECON_SYMBOLS: options.symbols }),
  });
  const clock = new SystemClock();
  const handle = await createDb({ url: env.DATABASE_URL, pgliteDir: options.pgliteDir, poolSize: 1 });
  try {
    await migrate(handle.db);
    const quiet = { info() {}, warn() {}, error() {} };
    const reconciler = buildReconciler(
      {
        // Nothing is published by a preview; the bus only completes the reconciler's wiring.
        bus: new MemoryBus({ source: 'cli', clock }),
        db: handle.db,
        clock,
        ids: uuidv7Ids(clock),
        config,
        log: quiet,
      },
      buildVenue(config),
    );
    return { venue: options.venue, drifts: await reconciler.preview() };
  } finally {
    await handle.db.destroy();
  }
}

/** `ballast recon [--venue NAME] [--json]`: the differences between a venue and our records. */
export function registerReconCommand(program: Command): void {
  program
    .command('recon')
    .description(
      `compare a venue with our records once and print the differences (repairs nothing); exits ${RECON_DRIFTED_EXIT} when they differ`,
    )
    .option('--venue <name>', 'venue id', 'binance')
    .option(
      '--symbols <list>',
      'comma-separated symbols whose trades to read (default RECON_SYMBOLS, else BTC-USDT)',
    )
    .option('--json', 'print the drifts as JSON')
    .option(
      '--pglite-dir <dir>',
      'PGlite data directory, used when DATABASE_URL is unset',
      DEFAULT_PGLITE_DIR,
    )
    .action(async (options: ReconOptions) => {
      const { venue, drifts } = await reconOnce(options);
      if (options.json) console.log(JSON.stringify({ venue, drifts }, null, 2));
      else
        console.log(
          drifts.length === 0 ? `${venue}: the venue and our records agree` : formatDriftTable(drifts),
        );
      if (drifts.length > 0) process.exitCode = RECON_DRIFTED_EXIT;
    });
}
