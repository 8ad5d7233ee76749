import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Candle, normaliseSymbol } from '@ballast/contracts';
import { readDataFile, sharedDataDir } from './data';

/**
 * The first `count` recorded Binance spot candles of `pair` (e.g. BTCUSDT) at `timeframe`, from
 * binance-spot-ohlcv/<PAIR>-<tf>.csv (or .csv.gz), oldest first, as market-data publishes them.
 */
export function recordedKlines(
  pair: string,
  timeframe: '1h' | '4h',
  count: number,
  exchange = 'binance',
): Candle[] {
  const plain = `binance-spot-ohlcv/${pair}-${timeframe}.csv`;
  const file = existsSync(join(sharedDataDir(), plain)) ? plain : `${plain}.gz`;
  const rows = readDataFile(file)
    .trim()
    .split('\n')
    .slice(1, count + 1);
  return rows.map((row) => {
    const [openTime, open, high, low, close, volume, closeTime] = row.split(',').map(Number) as number[];
    return {
      exchange,
      symbol: normaliseSymbol(pair),
      timeframe,
      openTime: openTime!,
      closeTime: closeTime!,
      open: open!,
      high: high!,
      low: low!,
      close: close!,
      volume: volume!,
    };
  });
}

/**
 * `count` bars after `last` that traded nothing, as Binance emits them for a halted or abandoned market:
 * every price `last`'s close, no volume. The recordings hold no such stretch (one zero-volume hour at
 * most), so a test of a still market makes it from a recorded last bar.
 */
export function stillBarsAfter(last: Candle, count: number): Candle[] {
  const step = last.closeTime + 1 - last.openTime;
  return Array.from({ length: count }, (_, i) => ({
    ...last,
    openTime: last.openTime + (i + 1) * step,
    closeTime: last.closeTime + (i + 1) * step,
    open: last.close,
    high: last.close,
    low: last.close,
    volume: 0,
  }));
}
