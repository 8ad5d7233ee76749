import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { normaliseSymbol, Timeframe } from '@ballast/contracts';
import { type CandleCsvError, parseBinanceKlineCsv } from '@ballast/core';
import { CandleRepository, createDb, type DbHandle, DEFAULT_PGLITE_DIR, migrate } from '@ballast/db';
import type { Command } from 'commander';

export interface ImportRequest {
  file: string;
  exchange: string;
  /** Normalised, e.g. `BTC-USDT`. */
  symbol: string;
  timeframe: Timeframe;
}

export interface ImportResult {
  /** Good rows upserted (re-importing the same file writes the same rows again, adding none). */
  stored: number;
  errors: CandleCsvError[];
}

/** Imports a Binance kline CSV (`.csv` or `.csv.gz`); bad rows are returned with their line numbers. */
export async function importCandlesCsv(request: ImportRequest, db: DbHandle['db']): Promise<ImportResult> {
  const raw = await readFile(request.file);
  const text = (request.file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const { candles, errors } = parseBinanceKlineCsv(text, {
    exchange: request.exchange,
    symbol: request.symbol,
    timeframe: request.timeframe,
  });
  const stored = await new CandleRepository(db).upsertMany(candles);
  return { stored, errors };
}

interface ImportFlags {
  csv: string;
  exchange: string;
  symbol: string;
  timeframe: string;
  pgliteDir: string;
}

const SHOWN_ERRORS = 20;

/** `ballast import`: a Binance kline CSV into the candles table. */
export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('import a Binance kline CSV (.csv or .csv.gz) into the candles table, idempotently')
    .requiredOption('--csv <file>', 'open_time,open,high,low,close,volume,close_time')
    .requiredOption('--exchange <id>', 'exchange id stored with the rows, e.g. binance')
    .requiredOption('--symbol <symbol>', 'e.g. BTC/USDT')
    .requiredOption('--timeframe <tf>', `one of ${Timeframe.options.join(', ')}`)
    .option('--pglite-dir <dir>', 'PGlite data directory when DATABASE_URL is unset', DEFAULT_PGLITE_DIR)
    .action((flags: ImportFlags) => importCommand(flags));
}

async function importCommand(flags: ImportFlags): Promise<void> {
  const timeframe = Timeframe.safeParse(flags.timeframe);
  if (!timeframe.success)
    throw new Error(`invalid --timeframe "${flags.timeframe}": one of ${Timeframe.options.join(', ')}`);
  const request = {
    file: flags.csv,
    exchange: flags.exchange,
    symbol: normaliseSymbol(flags.symbol),
    timeframe: timeframe.data,
  };
  const handle = await createDb({ url: process.env.DATABASE_URL, pgliteDir: flags.pgliteDir, poolSize: 2 });
  try {
    await migrate(handle.db);
    const { stored, errors } = await importCandlesCsv(request, handle.db);
    for (const e of errors.slice(0, SHOWN_ERRORS)) console.error(`line ${e.line}: ${e.reason}: ${e.message}`);
    if (errors.length > SHOWN_ERRORS) console.error(`… and ${errors.length - SHOWN_ERRORS} more bad rows`);
    console.log(
      `${request.symbol} ${request.timeframe}: stored ${stored} rows into ${handle.target}, rejected ${errors.length}`,
    );
    if (errors.length > 0) process.exitCode = 1;
  } finally {
    await handle.db.destroy();
  }
}
