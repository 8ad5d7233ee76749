import type { Candle } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { parseBinanceKlineCsv } from '../market';
import { DEFAULT_SUPPORT_RESISTANCE, supportResistance } from './support-resistance';
import { SupportResistanceTracker } from './support-resistance-tracker';

const BTC_1H = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';
const ETH_4H = 'binance-spot-ohlcv/ETHUSDT-4h.csv';

function load(file: string, timeframe: '1h' | '4h'): Candle[] {
  return parseBinanceKlineCsv(readDataFile(file), { exchange: 'binance', symbol: 'X-USDT', timeframe })
    .candles;
}

/** Pushes every candle and compares with the rescan of the last `window` bars at each close. */
function expectEqualToRescan(
  candles: readonly Candle[],
  window: number,
  options = DEFAULT_SUPPORT_RESISTANCE,
): number {
  const tracker = new SupportResistanceTracker(window, options);
  let withLevels = 0;
  for (let i = 0; i < candles.length; i++) {
    const candle = candles[i]!;
    tracker.push(candle);
    const expected = supportResistance(
      candles.slice(Math.max(0, i + 1 - window), i + 1),
      candle.close,
      options,
    );
    const actual = tracker.levels(candle.close);
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      expect({ i, actual }).toEqual({ i, actual: expected });
    if (expected.support.length + expected.resistance.length > 0) withLevels++;
  }
  return withLevels;
}

describe('SupportResistanceTracker (recorded Binance candles)', () => {
  it(`equals supportResistance over the last 120 bars after every bar of ${BTC_1H}`, () => {
    const candles = load(BTC_1H, '1h');
    expect(candles.length).toBeGreaterThan(40_000);
    // Nearly every bar has levels: the comparison is not vacuous.
    expect(expectEqualToRescan(candles, 120)).toBeGreaterThan(candles.length - 200);
  });

  it.each([
    [7, { pivotStrength: 3, clusterTolerance: 0.005, maxLevels: 3 }],
    [8, { pivotStrength: 3, clusterTolerance: 0.005, maxLevels: 3 }],
    [30, { pivotStrength: 1, clusterTolerance: 0.02, maxLevels: 5 }],
    [200, { pivotStrength: 5, clusterTolerance: 0.001, maxLevels: 2 }],
    [3, { pivotStrength: 2, clusterTolerance: 0.005, maxLevels: 3 }],
  ])(`equals the rescan of ${ETH_4H} with a window of %i and %j`, (window, options) => {
    const candles = load(ETH_4H, '4h');
    const withLevels = expectEqualToRescan(candles, window, options);
    // A window shorter than a pivot and its neighbours never has one.
    if (window < 2 * options.pivotStrength + 1) expect(withLevels).toBe(0);
    else expect(withLevels).toBeGreaterThan(candles.length / 10);
  });
});
