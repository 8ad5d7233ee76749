import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Candle, Timeframe } from '@ballast/contracts';
import { parseBinanceKlineCsv } from '@ballast/core';
import { BacktestError } from './backtest-error';

/** Quote assets recognised in Binance file names (`BTCUSDT-1h.csv.gz` → BTC-USDT). */
const QUOTES = ['USDT', 'BUSD', 'USDC', 'BTC', 'ETH', 'BNB'] as const;

/** `BTCUSDT-1h.csv.gz` → `BTC-USDT`; undefined when the name does not follow that layout. */
export function symbolFromFileName(path: string): string | undefined {
  const pair = basename(path).split('-')[0]?.toUpperCase() ?? '';
  const quote = QUOTES.find((q) => pair.endsWith(q) && pair.length > q.length);
  return quote ? `${pair.slice(0, -quote.length)}-${quote}` : undefined;
}

export interface CandleFile {
  path: string;
  /** Normalised symbol; taken from the file name when omitted. */
  symbol?: string;
}

export interface LoadCandlesOptions {
  exchange: string;
  timeframe: Timeframe;
  /** Inclusive, epoch ms, on open time. */
  from?: number;
  /** Exclusive, epoch ms, on open time. */
  to?: number;
}

/** Reads one Binance kline CSV (gzip when the name ends in .gz); a bad row is an error, not a skip. */
export function loadCandleFile(file: CandleFile, options: LoadCandlesOptions): Candle[] {
  let buffer: Buffer;
  try {
    buffer = readFileSync(file.path);
  } catch (err) {
    throw new BacktestError('bad_input', `cannot read ${file.path}: ${(err as Error).message}`);
  }
  // After the read: a mistyped path is reported missing, not as a name that tells no symbol.
  const symbol = file.symbol ?? symbolFromFileName(file.path);
  if (!symbol) throw new BacktestError('bad_input', `cannot tell the symbol of ${file.path}; name it`);
  const text = (file.path.endsWith('.gz') ? gunzip(buffer, file.path) : buffer).toString('utf8');
  const from = options.from ?? Number.NEGATIVE_INFINITY;
  const to = options.to ?? Number.POSITIVE_INFINITY;
  const { candles, errors } = parseBinanceKlineCsv(withinRange(text, from, to), {
    exchange: options.exchange,
    symbol,
    timeframe: options.timeframe,
  });
  const first = errors[0];
  if (first) {
    throw new BacktestError(
      'bad_input',
      `${file.path}: ${errors.length} bad rows, first at line ${first.line} (${first.reason}): ${first.message}`,
    );
  }
  return candles;
}

/** A truncated or corrupt archive is bad input that names its file, not a bare zlib error. */
function gunzip(buffer: Buffer, path: string): Buffer {
  try {
    return gunzipSync(buffer);
  } catch (err) {
    throw new BacktestError('bad_input', `cannot unzip ${path}: ${(err as Error).message}`);
  }
}

/**
 * Keeps the header and the rows whose open time (first column) lies in [from, to), so a short range
 * of a long file is not parsed whole. Rows that do not start with a number stay, so the parser reports them.
 * A row left out is left empty, not removed (the parser skips empty rows): a bad row's line number is
 * then its line in the file, not in what the range kept of it.
 */
function withinRange(text: string, from: number, to: number): string {
  if (from === Number.NEGATIVE_INFINITY && to === Number.POSITIVE_INFINITY) return text;
  const lines = text.split('\n');
  const kept = [lines[0] ?? ''];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const openTime = Number(line.slice(0, line.indexOf(',')));
    kept.push(!Number.isFinite(openTime) || (openTime >= from && openTime < to) ? line : '');
  }
  return kept.join('\n');
}
