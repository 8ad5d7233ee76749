import type { FeatureVector } from '@ballast/contracts';
import { readDataFile, vectorDifferences } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { parseBinanceKlineCsv } from '../market';
import { FeatureEngine } from './feature-engine';

const BTC_4H = 'binance-spot-ohlcv/BTCUSDT-4h.csv';
const candles = parseBinanceKlineCsv(readDataFile(BTC_4H), {
  exchange: 'binance',
  symbol: 'BTC-USDT',
  timeframe: '4h',
}).candles;

describe(`a restarted FeatureEngine equals one that ran through (${BTC_4H})`, () => {
  // Restarts spread over the history (bull, crash, range), each replaying warmUpBars stored candles.
  it.each([3_000, 5_000, 7_000, 9_000])(
    'after a restart at bar %i, over the next 300 vectors',
    (restartAt) => {
      const continuous = new FeatureEngine();
      const expected = new Map<number, FeatureVector>();
      for (const c of candles.slice(0, restartAt + 300)) {
        const vector = continuous.onCandle(c);
        if (vector) expected.set(c.openTime, vector);
      }
      const restarted = new FeatureEngine();
      const warmUp = restarted.warmUpBars('4h');
      for (const c of candles.slice(restartAt - warmUp, restartAt)) restarted.onCandle(c);
      const mismatches: string[] = [];
      for (const c of candles.slice(restartAt, restartAt + 300)) {
        const vector = restarted.onCandle(c);
        const other = expected.get(c.openTime);
        if (!vector || !other) mismatches.push(`${c.openTime} missing`);
        else for (const d of vectorDifferences(other, vector)) mismatches.push(`${c.openTime} ${d}`);
      }
      expect(mismatches.slice(0, 5)).toEqual([]);
    },
  );
});
