import type { Candle } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { IndicatorSet, periodsPerYear, RealisedVolatility } from '../indicators';
import { parseBinanceKlineCsv } from '../market';
import { FeatureEngine } from './feature-engine';
import { featureIndicators } from './feature-indicators';
import { confirmingViews, HigherTimeframeContext, higherTimeframeDisagrees } from './higher-timeframe';
import { clusterPrices, pivotPrices, supportResistance } from './support-resistance';
import { trendOf } from './trend';
import { classifyVolatility, VolatilityRegimeTracker } from './volatility-regime';

const BTC_1H = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';
const BTC_4H = 'binance-spot-ohlcv/BTCUSDT-4h.csv';
const series = { exchange: 'binance', symbol: 'BTC-USDT' } as const;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function load(file: string, timeframe: '1h' | '4h'): Candle[] {
  return parseBinanceKlineCsv(readDataFile(file), { ...series, timeframe }).candles;
}

const hourly = load(BTC_1H, '1h').slice(0, 3000);
const fourHourly = load(BTC_4H, '4h');

describe('classifyVolatility', () => {
  it('maps the recent/long-term ratio onto its band', () => {
    expect(classifyVolatility(0.5)).toEqual({
      ratio: 0.5,
      level: 'low',
      positionScale: 1,
      stopMultiplier: 1,
    });
    expect(classifyVolatility(1)).toEqual({ ratio: 1, level: 'normal', positionScale: 1, stopMultiplier: 1 });
    expect(classifyVolatility(1.25)).toEqual({
      ratio: 1.25,
      level: 'high',
      positionScale: 0.5,
      stopMultiplier: 1.25,
    });
    expect(classifyVolatility(3)).toEqual({
      ratio: 3,
      level: 'extreme',
      positionScale: 0.25,
      stopMultiplier: 1.5,
    });
  });
});

describe('VolatilityRegimeTracker', () => {
  it(`is the ratio of 20- to 100-return realised volatility over ${BTC_1H}, null before 101 closes`, () => {
    const tracker = new VolatilityRegimeTracker();
    const short = new RealisedVolatility(20);
    const long = new RealisedVolatility(100);
    const levels = new Set<string>();
    hourly.forEach((c, i) => {
      const regime = tracker.update(c.close);
      const s = short.update(c.close);
      const l = long.update(c.close);
      if (i < 100) {
        expect(regime).toBeNull();
        return;
      }
      expect(regime).toEqual(classifyVolatility(s! / l!));
      levels.add(regime!.level);
    });
    // The first 3,000 hours (2017-08-17 → 2017-12-21) never reach twice the long-term volatility.
    expect([...levels].sort()).toEqual(['high', 'low', 'normal']);
  });
});

describe('support and resistance', () => {
  // The first 30 bars of BTCUSDT-4h.csv (2017-08-17 04:00 → 2017-08-22 00:00).
  const bars = fourHourly.slice(0, 30);

  it('finds pivot highs and lows three bars either side', () => {
    expect(pivotPrices(bars, 3)).toEqual([4134.61, 4371.52, 3850, 4211.08, 4032.62]);
  });

  it('splits the levels around the last close (3862.39), nearest first', () => {
    const levels = supportResistance(bars, bars[29]!.close);
    expect(levels.support).toEqual([{ price: 3850, touches: 1 }]);
    expect(levels.resistance).toEqual([
      { price: 4032.62, touches: 1 },
      { price: 4134.61, touches: 1 },
      { price: 4211.08, touches: 1 },
    ]);
  });

  it('merges prices within the tolerance into one level at their mean', () => {
    // Highs of bars 16, 17 and 20 of the same file.
    expect(clusterPrices([4149.99, 4139.98, 4125.43], 0.005)).toEqual([
      { price: (4125.43 + 4139.98 + 4149.99) / 3, touches: 3 },
    ]);
    expect(clusterPrices([4149.99, 4032.62], 0.005)).toEqual([
      { price: 4032.62, touches: 1 },
      { price: 4149.99, touches: 1 },
    ]);
  });
});

describe('higher timeframe', () => {
  it(`resampled from ${BTC_1H} gives the trend and regime the recorded ${BTC_4H} gives`, () => {
    const context = new HigherTimeframeContext('4h');
    const direct = new IndicatorSet();
    const expected = new Map<number, unknown>();
    for (const bar of fourHourly.slice(0, 800)) {
      const snapshot = direct.update(bar);
      const trend = trendOf(bar.close, snapshot);
      expected.set(
        bar.openTime,
        trend && snapshot.regime ? { timeframe: '4h', trend, regime: snapshot.regime } : null,
      );
    }
    let compared = 0;
    for (const candle of hourly) {
      const outcome = context.push(candle);
      expect(outcome.ok).toBe(true);
      // At the last hour of a 4h bucket, the view is that bucket's.
      if (candle.openTime % 14_400_000 !== 3 * 3_600_000) continue;
      expect(context.current).toEqual(expected.get(candle.openTime - 3 * 3_600_000));
      if (context.current) compared++;
    }
    expect(compared).toBeGreaterThan(600);
  });

  it(`closes the 1d context at each UTC midnight of ${BTC_1H}, as the daily bars of ${BTC_4H} do`, () => {
    const fromFourHourly = new HigherTimeframeContext('1d');
    const atDayEnd = new Map<number, unknown>();
    for (const bar of fourHourly) {
      fromFourHourly.push(bar);
      if (bar.openTime % DAY === 20 * HOUR) atDayEnd.set(bar.openTime - 20 * HOUR, fromFourHourly.current);
    }
    const fromHourly = new HigherTimeframeContext('1d');
    let compared = 0;
    let previousOpen = Number.NEGATIVE_INFINITY;
    for (const candle of hourly) {
      const before = fromHourly.current;
      expect(fromHourly.push(candle).ok).toBe(true);
      const dayStart = candle.openTime - (candle.openTime % DAY);
      if (candle.openTime - dayStart === 23 * HOUR && atDayEnd.has(dayStart)) {
        // The 23:00 UTC hour closes the day: its view is the day's, bar for bar.
        expect(fromHourly.current).toEqual(atDayEnd.get(dayStart));
        if (fromHourly.current) compared++;
      } else if (candle.openTime - previousOpen === HOUR && candle.openTime - dayStart !== 23 * HOUR) {
        // Within a day and without a gap, nothing closes: the view is the very same object.
        expect(fromHourly.current).toBe(before);
      }
      previousOpen = candle.openTime;
    }
    // 3,000 hours are 125 days; the 1d trend needs 50 of them.
    expect(compared).toBeGreaterThan(70);
  });

  it('offers the primary higher timeframe by default and the named warm ones when asked', () => {
    const h4 = { timeframe: '4h' as const, trend: 'up' as const, regime: 'trending' as const };
    const d1 = { timeframe: '1d' as const, trend: 'down' as const, regime: 'volatile' as const };
    const vector = { higherTimeframe: h4, higherTimeframes: [h4, d1] };
    expect(confirmingViews(vector)).toEqual([h4]);
    expect(confirmingViews(vector, ['1d'])).toEqual([d1]);
    expect(confirmingViews(vector, ['4h', '1d'])).toEqual([h4, d1]);
    // A vector from before higherTimeframes existed: its primary is all it offers.
    expect(confirmingViews({ higherTimeframe: h4 }, ['1d'])).toEqual([]);
    expect(confirmingViews({ higherTimeframe: h4 }, ['4h'])).toEqual([h4]);
    expect(confirmingViews({ higherTimeframe: null, higherTimeframes: [d1] })).toEqual([]);
  });

  it('confirms an entry unless the higher timeframe trends the other way', () => {
    const view = (trend: 'up' | 'down' | 'flat') => ({
      timeframe: '4h' as const,
      trend,
      regime: 'trending' as const,
    });
    expect(higherTimeframeDisagrees('long', view('down'))).toBe(true);
    expect(higherTimeframeDisagrees('short', view('up'))).toBe(true);
    expect(higherTimeframeDisagrees('long', view('up'))).toBe(false);
    expect(higherTimeframeDisagrees('short', view('flat'))).toBe(false);
    expect(higherTimeframeDisagrees('long', null)).toBe(false);
  });
});

describe('FeatureEngine', () => {
  it(`publishes nothing until EMA200 is ready, then the IndicatorSet values of ${BTC_1H}`, () => {
    const engine = new FeatureEngine();
    const direct = new IndicatorSet({ periodsPerYear: periodsPerYear('1h') });
    const vectors = hourly.slice(0, 400).map((c) => {
      const snapshot = direct.update(c);
      return { vector: engine.onCandle(c), expected: featureIndicators(snapshot) };
    });
    expect(vectors.findIndex((v) => v.vector !== null)).toBe(199);
    for (const { vector, expected } of vectors.slice(199)) expect(vector?.indicators).toEqual(expected);
    const last = vectors[399]!.vector!;
    const higher = new HigherTimeframeContext('4h');
    for (const c of hourly.slice(0, 400)) higher.push(c);
    expect(higher.current).not.toBeNull();
    expect(last.higherTimeframe).toEqual(higher.current);
    expect(last.support.every((p) => p < last.close)).toBe(true);
    expect(last.resistance.every((p) => p > last.close)).toBe(true);
  });

  it(`carries the 4h and the 1d context of ${BTC_1H} once warmUpBars candles are in`, () => {
    const engine = new FeatureEngine();
    const bars = engine.warmUpBars('1h');
    // 397 daily bars of hours: the 1d context's EMA50 forgets its seed (restart parity).
    expect(bars).toBe(397 * 24);
    const h4 = new HigherTimeframeContext('4h');
    const d1 = new HigherTimeframeContext('1d');
    let last = null;
    for (const c of hourly.slice(0, bars)) {
      last = engine.onCandle(c);
      h4.push(c);
      d1.push(c);
    }
    expect(d1.current).not.toBeNull();
    expect(last?.higherTimeframe).toEqual(h4.current);
    expect(last?.higherTimeframes).toEqual([h4.current, d1.current]);
  });

  it('skips a repeated candle and rejects one that goes back in time', () => {
    const engine = new FeatureEngine();
    for (const c of hourly.slice(0, 10)) engine.process(c);
    expect(engine.process(hourly[9]!)).toEqual({ status: 'duplicate' });
    expect(engine.process(hourly[5]!)).toEqual({
      status: 'rejected',
      reason: 'out_of_order',
      message: `${hourly[5]!.openTime} before ${hourly[9]!.openTime}`,
    });
  });

  it('refuses a candle priced 1e200 and goes on with the next ones as if it were missing', () => {
    const engine = new FeatureEngine();
    const direct = new IndicatorSet({ periodsPerYear: periodsPerYear('1h') });
    for (const c of hourly.slice(0, 250)) {
      engine.process(c);
      direct.update(c);
    }
    const bad = hourly[250]!;
    const huge = { ...bad, open: 1e200, high: 1e200, low: 1e200, close: 1e200 };
    expect(engine.process(huge)).toMatchObject({ status: 'rejected', reason: 'non_finite' });
    // The very next candle, and every one after, gives the vector of a series that never saw it.
    for (const c of hourly.slice(251, 300)) {
      const outcome = engine.process(c);
      expect(outcome.status).toBe('ready');
      const expected = featureIndicators(direct.update(c));
      if (outcome.status === 'ready') expect(outcome.vector.indicators).toEqual(expected);
    }
  });
});
