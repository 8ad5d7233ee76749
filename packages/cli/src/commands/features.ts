import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type Candle, Timeframe } from '@ballast/contracts';
import {
  type CandleCsvError,
  type CandleSeriesId,
  IndicatorSet,
  type IndicatorSnapshot,
  parseBinanceKlineCsv,
  periodsPerYear,
} from '@ballast/core';
import type { Command } from 'commander';

/** Output columns after open_time, in order. */
export const FEATURE_COLUMNS = [
  'ema_9',
  'ema_21',
  'ema_50',
  'ema_200',
  'sma_20',
  'rsi_14',
  'macd',
  'macd_signal',
  'macd_hist',
  'bb_upper',
  'bb_middle',
  'bb_lower',
  'atr_14',
  'adx_14',
  'plus_di_14',
  'minus_di_14',
  'cmf_20',
  'obv',
  'volume_ratio',
  'regime',
] as const;

export interface FeaturesOptions {
  /** A Binance kline CSV, optionally gzipped (`.gz`). */
  data: string;
  out: string;
  exchange?: string;
  /** BASE-QUOTE; inferred from a file name like BTCUSDT-1h.csv.gz when absent. */
  symbol?: string;
  /** Inferred from the file name (…-1h…) when absent. */
  timeframe?: Timeframe;
}

export interface FeaturesReport {
  series: CandleSeriesId;
  /** Data rows written (one per good candle). */
  rows: number;
  /** Rows of the input refused by the parser, with line numbers. */
  rejected: CandleCsvError[];
}

export class FeaturesInputError extends Error {
  readonly reason: 'series_unknown' | 'no_candles';
  constructor(reason: FeaturesInputError['reason'], message: string) {
    super(message);
    this.name = 'FeaturesInputError';
    this.reason = reason;
  }
}

const MAX_REPORTED_ROWS = 20;

/** `ballast features --data FILE.csv[.gz] --out OUT.csv`: one row of indicator values per candle. */
export function registerFeaturesCommand(program: Command): void {
  program
    .command('features')
    .description('compute the indicator feature set for every candle of a Binance kline CSV')
    .requiredOption(
      '--data <file>',
      'Binance kline CSV (open_time,open,high,low,close,volume,close_time), .gz ok',
    )
    .requiredOption('--out <file>', 'CSV to write: open_time, then one column per feature')
    .option('--exchange <id>', 'exchange id recorded on the candles', 'binance')
    .option('--symbol <BASE-QUOTE>', 'symbol, e.g. BTC-USDT (default: from the file name)')
    .option('--timeframe <tf>', 'candle timeframe, e.g. 1h (default: from the file name)')
    .action(async (options: FeaturesOptions) => {
      const report = await writeFeatures(options);
      printReport(options, report);
    });
}

/** Reads the candles, runs an IndicatorSet over them and writes the feature CSV. */
export async function writeFeatures(options: FeaturesOptions): Promise<FeaturesReport> {
  const series = resolveSeries(options);
  const raw = await readFile(options.data);
  const text = (options.data.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const { candles, errors } = parseBinanceKlineCsv(text, series);
  if (candles.length === 0) {
    const first = errors[0]
      ? `line ${errors[0].line}: ${errors[0].reason}: ${errors[0].message}`
      : 'file is empty';
    throw new FeaturesInputError('no_candles', `${options.data}: no valid candles (${first})`);
  }
  await writeFile(options.out, featuresCsv(candles, series.timeframe));
  return { series, rows: candles.length, rejected: errors };
}

/** The feature CSV for a series: header, then a row per candle; cells are empty during warm-up. */
export function featuresCsv(candles: readonly Candle[], timeframe: Timeframe): string {
  const set = new IndicatorSet({ periodsPerYear: periodsPerYear(timeframe) });
  const lines = [['open_time', ...FEATURE_COLUMNS].join(',')];
  for (const candle of candles) lines.push(featureRow(candle.openTime, set.update(candle)));
  return `${lines.join('\n')}\n`;
}

function featureRow(openTime: number, s: IndicatorSnapshot): string {
  const cells: (number | string | null)[] = [
    openTime,
    s.ema9,
    s.ema21,
    s.ema50,
    s.ema200,
    s.sma20,
    s.rsi14,
    s.macd?.macd ?? null,
    s.macd?.signal ?? null,
    s.macd?.histogram ?? null,
    s.bollinger?.upper ?? null,
    s.bollinger?.middle ?? null,
    s.bollinger?.lower ?? null,
    s.atr14,
    s.adx14,
    s.plusDi14,
    s.minusDi14,
    s.cmf20,
    s.obv,
    s.volumeRatio,
    s.regime,
  ];
  // String(number) is the shortest text that parses back to the same double.
  return cells.map((v) => (v === null ? '' : String(v))).join(',');
}

function resolveSeries(options: FeaturesOptions): CandleSeriesId {
  const inferred = inferSeriesFromFileName(options.data);
  const symbol = options.symbol ?? inferred.symbol;
  const timeframe = Timeframe.safeParse(options.timeframe ?? inferred.timeframe);
  if (!symbol || !timeframe.success) {
    throw new FeaturesInputError(
      'series_unknown',
      `cannot tell the ${symbol ? 'timeframe' : 'symbol'} of ${basename(options.data)}: pass --symbol BASE-QUOTE and --timeframe (${Timeframe.options.join('|')})`,
    );
  }
  return { exchange: options.exchange ?? 'binance', symbol, timeframe: timeframe.data };
}

const QUOTES = ['USDT', 'USDC', 'BUSD', 'FDUSD', 'TUSD', 'USD', 'EUR', 'BTC', 'ETH', 'BNB'];
const TIMEFRAME_IN_NAME = /(?:^|[-_.])(1m|5m|15m|1h|4h|1d)(?=[-_.]|$)/;

/** Reads `BTCUSDT-1h.csv.gz` as BTC-USDT 1h and `btc-usd-perp-1m-2022-01.csv.gz` as BTC-USD 1m. */
export function inferSeriesFromFileName(path: string): { symbol?: string; timeframe?: string } {
  const name = basename(path);
  const timeframe = TIMEFRAME_IN_NAME.exec(name)?.[1];
  const tokens = name.toUpperCase().split(/[-_.]/);
  const first = tokens[0] ?? '';
  const quote = QUOTES.find((q) => first.length > q.length && first.endsWith(q));
  let symbol: string | undefined;
  if (quote) symbol = `${first.slice(0, -quote.length)}-${quote}`;
  else if (tokens[1] && QUOTES.includes(tokens[1]) && /^[A-Z0-9]+$/.test(first))
    symbol = `${first}-${tokens[1]}`;
  return { symbol, timeframe };
}

function printReport(options: FeaturesOptions, report: FeaturesReport): void {
  const { series, rows, rejected } = report;
  for (const e of rejected.slice(0, MAX_REPORTED_ROWS)) {
    console.error(`${options.data}:${e.line}: ${e.reason}: ${e.message}`);
  }
  if (rejected.length > MAX_REPORTED_ROWS) console.error(`… and ${rejected.length - MAX_REPORTED_ROWS} more`);
  const skipped = rejected.length > 0 ? `, ${rejected.length} bad row(s) skipped` : '';
  console.log(
    `${series.exchange} ${series.symbol} ${series.timeframe}: ${rows} rows written to ${options.out}${skipped}`,
  );
}
