import type { CandleRow } from './candle-series';
import { binanceDecimal } from './decimal';

/** One element of a `/api/v3/klines` response. */
export type RestKline = [
  number,
  string,
  string,
  string,
  string,
  string,
  number,
  string,
  number,
  string,
  string,
  string,
];

export interface KlineQuery {
  startTime?: number;
  endTime?: number;
  limit: number;
}

/**
 * Binance's selection rules: open times within [startTime, endTime]; with a start, the first `limit`
 * from it; otherwise the last `limit` up to the end. Rows must be ascending by open time.
 */
export function selectKlines(rows: readonly CandleRow[], q: KlineQuery): CandleRow[] {
  const from = q.startTime === undefined ? 0 : lowerBound(rows, q.startTime);
  const to = q.endTime === undefined ? rows.length : lowerBound(rows, q.endTime + 1);
  if (to <= from) return [];
  return q.startTime !== undefined
    ? rows.slice(from, Math.min(to, from + q.limit))
    : rows.slice(Math.max(from, to - q.limit), to);
}

function lowerBound(rows: readonly CandleRow[], openTime: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((rows[mid] as CandleRow).openTime < openTime) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The recorded CSVs carry no quote volume, trade count or taker volumes; those fields are sent as
 * zero rather than invented.
 */
export function toRestKline(row: CandleRow): RestKline {
  return [
    row.openTime,
    binanceDecimal(row.open),
    binanceDecimal(row.high),
    binanceDecimal(row.low),
    binanceDecimal(row.close),
    binanceDecimal(row.volume),
    row.closeTime,
    '0.00000000',
    0,
    '0.00000000',
    '0.00000000',
    '0',
  ];
}
