import { readFileSync } from 'node:fs';
import type { Clock } from '@ballast/contracts';
import { type HourExpectancy, type HourStatsTrade, hourExpectancies } from '@ballast/core';
import {
  createDb,
  type DbHandle,
  DEFAULT_PGLITE_DIR,
  migrate,
  StrategyHourStatsRepository,
} from '@ballast/db';
import { SystemClock } from '@ballast/service-kit';
import type { Command } from 'commander';
import { z } from 'zod';
import { openDeployedDb } from './deployed-db';

/** The part of a `ballast backtest --json` result the statistics need; the rest is ignored. */
const BacktestTrades = z.object({
  trades: z.array(z.object({ strategy: z.string().nullable(), entry_time: z.number(), pnl: z.number() })),
});

/** A backtest result's trades, or an error naming the file and what is wrong with it. */
export function readBacktestTrades(file: string): HourStatsTrade[] {
  const parsed = BacktestTrades.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `--from-backtest ${file}: not a backtest result (ballast backtest --json): ${z.prettifyError(parsed.error)}`,
    );
  return parsed.data.trades.map((t) => ({ strategy: t.strategy, entryTime: t.entry_time, pnl: t.pnl }));
}

/** The rows as a fixed-width table. */
export function formatHourStatsTable(stats: readonly HourExpectancy[]): string {
  const head = ['strategy', 'hour (UTC)', 'trades', 'expectancy'];
  const cells = stats.map((s) => [s.strategy, String(s.hourUtc), String(s.trades), s.expectancy.toFixed(4)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: readonly string[]) =>
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** Replaces strategy_hour_stats with the statistics of these trades and returns what it wrote. */
export async function seedHourStats(
  trades: readonly HourStatsTrade[],
  deps: { db: DbHandle['db']; clock: Clock },
): Promise<HourExpectancy[]> {
  const stats = hourExpectancies(trades);
  await new StrategyHourStatsRepository(deps.db).replaceAll(stats, new Date(deps.clock.now()));
  return stats;
}

/**
 * The table as the deployment has it (DATABASE_URL, else the PGlite directory), for a backtest to start
 * from (`ballast backtest --hour-stats-from-db`): read only, nothing migrated or written, what was read
 * printed. An empty table is refused: the run would be the default one while looking vetoed by hour.
 */
export async function readDeployedHourStats(
  pgliteDir: string,
  print: (line: string) => void,
): Promise<HourExpectancy[]> {
  const handle = await openDeployedDb('--hour-stats-from-db', pgliteDir);
  try {
    const rows = await new StrategyHourStatsRepository(handle.db).all();
    if (rows.length === 0)
      throw new Error(
        `--hour-stats-from-db: strategy_hour_stats at ${handle.target} is empty; the run would be the default one`,
      );
    const strategies = new Set(rows.map((r) => r.strategy));
    print(
      `hour stats: ${rows.length} rows for ${strategies.size} strategies (${[...strategies].sort().join(', ')}) from ${handle.target}`,
    );
    return rows;
  } finally {
    await handle.db.destroy();
  }
}

/** `ballast hour-stats --from-backtest OUT.json`: seeds the hour-of-day veto's table from a backtest. */
export function registerHourStatsCommand(program: Command): void {
  program
    .command('hour-stats')
    .description(
      'replace the per-strategy, per-entry-hour expectancy table (the signals veto) from a backtest',
    )
    .requiredOption('--from-backtest <file>', 'a backtest result JSON (ballast backtest --json)')
    .option(
      '--pglite-dir <dir>',
      'PGlite data directory, used when DATABASE_URL is unset',
      DEFAULT_PGLITE_DIR,
    )
    .action(async (flags: { fromBacktest: string; pgliteDir: string }) => {
      const trades = readBacktestTrades(flags.fromBacktest);
      const handle = await createDb({
        url: process.env.DATABASE_URL,
        pgliteDir: flags.pgliteDir,
        poolSize: 1,
      });
      try {
        await migrate(handle.db);
        const stats = await seedHourStats(trades, { db: handle.db, clock: new SystemClock() });
        console.log(
          stats.length === 0
            ? `no trade with a strategy in ${flags.fromBacktest}: strategy_hour_stats is now empty`
            : `strategy_hour_stats replaced from ${trades.length} trades:\n${formatHourStatsTable(stats)}`,
        );
      } finally {
        await handle.db.destroy();
      }
    });
}
