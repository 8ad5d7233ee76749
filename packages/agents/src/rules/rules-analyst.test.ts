import { FeatureEngine, parseBinanceKlineCsv } from '@ballast/core';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { fixtureFor } from '../testing/market-fixture';
import { rulesAnalyst } from './rules-analyst';

const FILE = 'binance-spot-ohlcv/BTCUSDT-4h.csv';

describe(`rulesAnalyst on a vector of the feature engine (${FILE})`, () => {
  it("reports the vector's ADX (adx14) as strength, not the 50 fallback", () => {
    const { candles } = parseBinanceKlineCsv(readDataFile(FILE), {
      exchange: 'binance',
      symbol: 'BTC-USDT',
      timeframe: '4h',
    });
    const engine = new FeatureEngine();
    let features = null;
    for (const c of candles.slice(0, 400)) features = engine.onCandle(c) ?? features;
    const adx = features!.indicators.adx14!;
    expect(adx).not.toBe(50);
    const { candidate } = fixtureFor(candles.slice(370, 400));
    expect(rulesAnalyst(candidate, features!).strength).toBe(adx);
  });
});
