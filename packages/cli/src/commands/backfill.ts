import { randomInt } from 'node:crypto';
import { type Clock, normaliseSymbol, Timeframe } from '@ballast/contracts';
import { createDb, type DbHandle, DEFAULT_PGLITE_DIR, migrate } from '@ballast/db';
import { CcxtRest } from '@ballast/exchange';
import { SystemClock } from '@ballast/service-kit';
import type { Command } from 'commander';
import { type BackfillProgress, type BackfillRequest, backfillCandles } from './backfill-candles';
import { parseWarmUpPlan, warmUpHistory, warmUpReport } from './warm-up';

interface BackfillFlags {
  exchange?: string;
  symbols?: string;
  timeframe?: string;
  since?: string;
  until?: string;
  warmUp?: boolean;
  restUrl?: string;
  pgliteDir: string;
}

/** `ballast backfill`: REST candles into the database, with a progress line and a summary per symbol. */
export function registerBackfillCommand(program: Command): void {
  program
    .command('backfill')
    .description('fetch closed candles over REST and upsert them (DATABASE_URL, or embedded PGlite)')
    .option('--exchange <id>', 'ccxt exchange id, e.g. binance (--warm-up: default VENUE)')
    .option('--symbols <list>', 'comma list, e.g. BTC/USDT,ETH/USDT (--warm-up: default SYMBOLS)')
    .option('--timeframe <tf>', `one of ${Timeframe.options.join(', ')} (--warm-up: default TIMEFRAME)`)
    .option('--since <date>', 'first open time, ISO date or epoch ms, e.g. 2024-01-01')
    .option('--until <date>', 'last open time (default: now)')
    .option(
      '--warm-up',
      "instead of --since/--until: the history the features service replays at start (FEATURES_WARMUP_CANDLES, else its converged budget) plus 1 %, up to now; market-data's VENUE, SYMBOLS, TIMEFRAME and REST_URL fill the flags not given; a venue failure is warned about (short_history) and exits 0",
    )
    .option('--rest-url <url>', 'REST origin override, e.g. a simulator')
    .option('--pglite-dir <dir>', 'PGlite data directory when DATABASE_URL is unset', DEFAULT_PGLITE_DIR)
    .action((flags: BackfillFlags) => (flags.warmUp ? warmUpCommand(flags) : backfillCommand(flags)));
}

async function backfillCommand(flags: BackfillFlags): Promise<void> {
  const clock = new SystemClock();
  const request = parseRequest(flags, clock);
  const source = restSource(request.exchange, flags.restUrl, clock);
  await withDatabase(flags.pgliteDir, async (db) => {
    const summaries = await backfillCandles(request, { db, source, onProgress: printProgress });
    for (const s of summaries)
      console.log(
        `${s.symbol} ${request.timeframe}: fetched ${s.fetched}, stored ${s.stored}, rejected ${s.rejected}, ${s.skipped} already stored`,
      );
  });
}

/** `--warm-up`: one line per series on stdout; a short history is a warning on stderr, and still exit 0. */
async function warmUpCommand(flags: BackfillFlags): Promise<void> {
  if (flags.since !== undefined || flags.until !== undefined)
    throw new Error('--warm-up computes its own range: give it without --since and --until');
  const clock = new SystemClock();
  const { plan, restUrl } = parseWarmUpPlan(flags);
  const source = restSource(plan.exchange, restUrl, clock);
  await withDatabase(flags.pgliteDir, async (db) => {
    const outcomes = await warmUpHistory(plan, { db, source, clock, onProgress: printProgress });
    for (const outcome of outcomes) {
      const { short, line } = warmUpReport(outcome);
      if (short) console.error(line);
      else console.log(line);
    }
  });
}

function restSource(exchange: string, restUrl: string | undefined, clock: Clock): CcxtRest {
  return CcxtRest.create(
    { exchangeId: exchange, ...(restUrl ? { baseUrl: restUrl } : {}) },
    { clock, random01: () => randomInt(2 ** 32) / 2 ** 32 },
  );
}

async function withDatabase(pgliteDir: string, use: (db: DbHandle['db']) => Promise<void>): Promise<void> {
  const handle = await createDb({ url: process.env.DATABASE_URL, pgliteDir, poolSize: 2 });
  try {
    await migrate(handle.db);
    console.error(`backfilling into ${handle.target}`);
    await use(handle.db);
  } finally {
    await handle.db.destroy();
  }
}

export function parseRequest(
  flags: Omit<BackfillFlags, 'pgliteDir' | 'restUrl' | 'warmUp'>,
  clock: Clock,
): BackfillRequest {
  const exchange = required(flags.exchange, '--exchange');
  const timeframe = Timeframe.safeParse(required(flags.timeframe, '--timeframe'));
  if (!timeframe.success)
    throw new Error(`invalid --timeframe "${flags.timeframe}": one of ${Timeframe.options.join(', ')}`);
  const since = parseTime(required(flags.since, '--since'), '--since');
  const until = flags.until === undefined ? clock.now() : parseTime(flags.until, '--until');
  if (until < since) throw new Error('--until is before --since');
  const symbols = required(flags.symbols, '--symbols')
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(normaliseSymbol);
  if (symbols.length === 0) throw new Error('--symbols: at least one symbol');
  return { exchange, symbols, timeframe: timeframe.data, since, until };
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined) throw new Error(`${flag} is required without --warm-up`);
  return value;
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
