import { randomInt } from 'node:crypto';
import { type Clock, normaliseSymbol, TIMEFRAME_MS, Timeframe } from '@ballast/contracts';
import { CandleRepository, createDb, type DbHandle, DEFAULT_PGLITE_DIR, migrate } from '@ballast/db';
import { type CandlePage, CcxtRest } from '@ballast/exchange';
import { SystemClock } from '@ballast/service-kit';
import type { Command } from 'commander';

/** The REST side a backfill needs (CcxtRest satisfies it). */
export interface CandleSource {
  fetchCandles(symbol: string, timeframe: Timeframe, since: number, until: number): Promise<CandlePage>;
}

export interface BackfillRequest {
  exchange: string;
  /** Normalised, e.g. `BTC-USDT`. */
  symbols: readonly string[];
  timeframe: Timeframe;
  /** Open times in [since, until], epoch ms. */
  since: number;
  until: number;
}

export interface BackfillProgress {
  symbol: string;
  done: number;
  total: number;
  fetched: number;
}

export interface BackfillSummary {
  symbol: string;
  fetched: number;
  stored: number;
  rejected: number;
}

/** Candles per request window: one venue page, so progress moves with every call. */
const WINDOW = 1_000;

/** Fetches closed candles window by window and upserts each window (idempotent: re-running stores the same rows). */
export async function backfillCandles(
  request: BackfillRequest,
  deps: { db: DbHandle['db']; source: CandleSource; onProgress?: (p: BackfillProgress) => void },
): Promise<BackfillSummary[]> {
  const repo = new CandleRepository(deps.db);
  const step = TIMEFRAME_MS[request.timeframe];
  const first = Math.ceil(request.since / step) * step;
  const total = Math.max(0, Math.floor((request.until - first) / step) + 1);
  const out: BackfillSummary[] = [];
  for (const symbol of request.symbols) {
    const summary: BackfillSummary = { symbol, fetched: 0, stored: 0, rejected: 0 };
    for (let from = first; from <= request.until; from += WINDOW * step) {
      const to = Math.min(from + (WINDOW - 1) * step, request.until);
      const page = await deps.source.fetchCandles(symbol, request.timeframe, from, to);
      summary.fetched += page.candles.length + page.rejected.length;
      summary.rejected += page.rejected.length;
      summary.stored += await repo.upsertMany(page.candles);
      const done = Math.min(total, Math.floor((to - first) / step) + 1);
      deps.onProgress?.({ symbol, done, total, fetched: summary.fetched });
    }
    out.push(summary);
  }
  return out;
}

interface BackfillFlags {
  exchange: string;
  symbols: string;
  timeframe: string;
  since: string;
  until?: string;
  restUrl?: string;
  pgliteDir: string;
}

/** `ballast backfill`: REST candles into the database, with a progress line and a summary per symbol. */
export function registerBackfillCommand(program: Command): void {
  program
    .command('backfill')
    .description('fetch closed candles over REST and upsert them (DATABASE_URL, or embedded PGlite)')
    .requiredOption('--exchange <id>', 'ccxt exchange id, e.g. binance')
    .requiredOption('--symbols <list>', 'comma list, e.g. BTC/USDT,ETH/USDT')
    .requiredOption('--timeframe <tf>', `one of ${Timeframe.options.join(', ')}`)
    .requiredOption('--since <date>', 'first open time, ISO date or epoch ms, e.g. 2024-01-01')
    .option('--until <date>', 'last open time (default: now)')
    .option('--rest-url <url>', 'REST origin override, e.g. a simulator')
    .option('--pglite-dir <dir>', 'PGlite data directory when DATABASE_URL is unset', DEFAULT_PGLITE_DIR)
    .action((flags: BackfillFlags) => backfillCommand(flags));
}

async function backfillCommand(flags: BackfillFlags): Promise<void> {
  const clock = new SystemClock();
  const request = parseRequest(flags, clock);
  const source = CcxtRest.create(
    { exchangeId: flags.exchange, ...(flags.restUrl ? { baseUrl: flags.restUrl } : {}) },
    { clock, random01: () => randomInt(2 ** 32) / 2 ** 32 },
  );
  const handle = await createDb({ url: process.env.DATABASE_URL, pgliteDir: flags.pgliteDir, poolSize: 2 });
  try {
    await migrate(handle.db);
    console.error(`backfilling into ${handle.target}`);
    const summaries = await backfillCandles(request, { db: handle.db, source, onProgress: printProgress });
    for (const s of summaries)
      console.log(
        `${s.symbol} ${request.timeframe}: fetched ${s.fetched}, stored ${s.stored}, rejected ${s.rejected}`,
      );
  } finally {
    await handle.db.destroy();
  }
}

export function parseRequest(
  flags: Omit<BackfillFlags, 'pgliteDir' | 'restUrl'>,
  clock: Clock,
): BackfillRequest {
  const timeframe = Timeframe.safeParse(flags.timeframe);
  if (!timeframe.success)
    throw new Error(`invalid --timeframe "${flags.timeframe}": one of ${Timeframe.options.join(', ')}`);
  const since = parseTime(flags.since, '--since');
  const until = flags.until === undefined ? clock.now() : parseTime(flags.until, '--until');
  if (until < since) throw new Error('--until is before --since');
  const symbols = flags.symbols
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(normaliseSymbol);
  if (symbols.length === 0) throw new Error('--symbols: at least one symbol');
  return { exchange: flags.exchange, symbols, timeframe: timeframe.data, since, until };
}

function parseTime(text: string, flag: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(value))
    throw new Error(`invalid ${flag} "${text}": an ISO date (2024-01-01) or epoch ms`);
  return value;
}

function printProgress(p: BackfillProgress): void {
  const pct = p.total === 0 ? 100 : Math.floor((p.done / p.total) * 100);
  const line = `${p.symbol}: ${pct}% (${p.done}/${p.total} intervals, ${p.fetched} candles)`;
  // One line updated in place on a terminal; one line per window in a log.
  if (process.stderr.isTTY) process.stderr.write(`\r${line}${p.done >= p.total ? '\n' : ''}`);
  else process.stderr.write(`${line}\n`);
}
