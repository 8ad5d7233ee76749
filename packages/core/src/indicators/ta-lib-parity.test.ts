import { createRequire } from 'node:module';
import type { Candle } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { parseBinanceKlineCsv } from '../market';
import { Adx } from './adx';
import { Atr } from './atr';
import { BollingerBands } from './bollinger-bands';
import { Ema } from './ema';
import { IndicatorSet, type IndicatorSnapshot } from './indicator-set';
import { Macd } from './macd';
import { Obv } from './obv';
import { OhlcvColumns } from './ohlcv-columns';
import { Rsi } from './rsi';
import { Sma } from './sma';

// Reference: TA-Lib through the `talib` addon, run over each whole file from startIdx 0 with the default
// unstable period 0. TA-Lib then warms up from the first candle exactly as our streaming indicators do,
// so every value is compared from TA-Lib's own outBegIndex (its first output) to the last candle; the
// test also asserts that our first non-null value is at that same index. (Had TA-Lib been called on a
// later window, ATR/RSI/ADX would differ for a while because Wilder smoothing depends on where it starts.)
const FILES = [
  { file: 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz', symbol: 'BTC-USDT' },
  { file: 'binance-spot-ohlcv/ETHUSDT-1h.csv.gz', symbol: 'ETH-USDT' },
] as const;
const TOLERANCE = 1e-9;
const MACD_OPTIONS = { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 };
const BBANDS_OPTIONS = { optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 };

// The untyped `talib` 1.1.6 addon; required, not imported, because vitest cannot import a `.node` main.
interface Talib {
  execute(request: Record<string, string | number | number[]>): {
    begIndex: number;
    nbElement: number;
    result: Record<string, number[]>;
  };
}
const talib = createRequire(import.meta.url)('talib') as Talib;

function load(file: string, symbol: string): Candle[] {
  const parsed = parseBinanceKlineCsv(readDataFile(file), { exchange: 'binance', symbol, timeframe: '1h' });
  expect(parsed.errors).toEqual([]);
  return parsed.candles;
}

function talibRun(candles: Candle[], name: string, options: Record<string, number>) {
  // Plain arrays: the addon silently returns garbage for Float64Array.
  const r = talib.execute({
    name,
    startIdx: 0,
    endIdx: candles.length - 1,
    open: candles.map((c) => c.open),
    high: candles.map((c) => c.high),
    low: candles.map((c) => c.low),
    close: candles.map((c) => c.close),
    volume: candles.map((c) => c.volume),
    inReal: candles.map((c) => c.close),
    ...options,
  });
  expect(r.nbElement).toBe(candles.length - r.begIndex);
  return r;
}

/** Largest relative error from TA-Lib's first output on; ours must be null exactly before it. */
function compare(ours: (number | null)[], reference: number[], begIndex: number): number {
  expect(ours.findIndex((v) => v !== null)).toBe(begIndex);
  expect(ours.slice(begIndex).every((v) => v !== null)).toBe(true);
  expect(reference).toHaveLength(ours.length - begIndex);
  let worst = 0;
  for (let i = begIndex; i < ours.length; i++) {
    const a = ours[i]!;
    const b = reference[i - begIndex]!;
    const err = a === b ? 0 : Math.abs(a - b) / Math.abs(b);
    if (!(err <= worst)) worst = err;
  }
  return worst;
}

describe.each(FILES)('TA-Lib parity on $file', ({ file, symbol }) => {
  const candles = load(file, symbol);

  it('uses several thousand real candles', () => {
    expect(candles.length).toBeGreaterThan(40_000);
  });

  it.each([9, 21, 50, 200])('EMA(%i) matches TA-Lib EMA', (period) => {
    const ema = new Ema(period);
    const ours = candles.map((c) => ema.update(c.close));
    const r = talibRun(candles, 'EMA', { optInTimePeriod: period });
    expect(r.begIndex).toBe(period - 1);
    expect(compare(ours, r.result.outReal!, r.begIndex)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('SMA(20) matches TA-Lib SMA', () => {
    const sma = new Sma(20);
    const ours = candles.map((c) => sma.update(c.close));
    const r = talibRun(candles, 'SMA', { optInTimePeriod: 20 });
    expect(compare(ours, r.result.outReal!, r.begIndex)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('RSI(14) matches TA-Lib RSI from index 14', () => {
    const rsi = new Rsi(14);
    const ours = candles.map((c) => rsi.update(c.close));
    const r = talibRun(candles, 'RSI', { optInTimePeriod: 14 });
    expect(r.begIndex).toBe(14);
    expect(compare(ours, r.result.outReal!, r.begIndex)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('MACD(12,26,9) line, signal and histogram match TA-Lib MACD from index 33', () => {
    const macd = new Macd();
    const line: (number | null)[] = [];
    const signal: (number | null)[] = [];
    const hist: (number | null)[] = [];
    for (const c of candles) {
      const ready = macd.update(c.close);
      line.push(ready ? macd.macd : null);
      signal.push(ready ? macd.signal : null);
      hist.push(ready ? macd.histogram : null);
    }
    const r = talibRun(candles, 'MACD', { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 });
    expect(r.begIndex).toBe(33);
    expect(compare(line, r.result.outMACD!, r.begIndex)).toBeLessThanOrEqual(TOLERANCE);
    expect(compare(signal, r.result.outMACDSignal!, r.begIndex)).toBeLessThanOrEqual(TOLERANCE);
    expect(compare(hist, r.result.outMACDHist!, r.begIndex)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('Bollinger Bands(20, 2) match TA-Lib BBANDS with an SMA middle', () => {
    const bb = new BollingerBands({ period: 20, deviations: 2 });
    const upper: (number | null)[] = [];
    const middle: (number | null)[] = [];
    const lower: (number | null)[] = [];
    for (const c of candles) {
      const ready = bb.update(c.close);
      upper.push(ready ? bb.upper : null);
      middle.push(ready ? bb.middle : null);
      lower.push(ready ? bb.lower : null);
    }
    const r = talibRun(candles, 'BBANDS', {
      optInTimePeriod: 20,
      optInNbDevUp: 2,
      optInNbDevDn: 2,
      optInMAType: 0,
    });
    expect(r.begIndex).toBe(19);
    expect(compare(upper, r.result.outRealUpperBand!, r.begIndex)).toBeLessThanOrEqual(TOLERANCE);
    expect(compare(middle, r.result.outRealMiddleBand!, r.begIndex)).toBeLessThanOrEqual(TOLERANCE);
    expect(compare(lower, r.result.outRealLowerBand!, r.begIndex)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('ATR(14) matches TA-Lib ATR from index 14', () => {
    const atr = new Atr(14);
    const ours = candles.map((c) => atr.update(c));
    const r = talibRun(candles, 'ATR', { optInTimePeriod: 14 });
    expect(r.begIndex).toBe(14);
    expect(compare(ours, r.result.outReal!, r.begIndex)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('ADX(14) matches TA-Lib ADX from index 27, +DI/−DI match PLUS_DI/MINUS_DI from index 14', () => {
    const adx = new Adx(14);
    const value: (number | null)[] = [];
    const plus: (number | null)[] = [];
    const minus: (number | null)[] = [];
    for (const c of candles) {
      const ready = adx.update(c);
      value.push(ready ? adx.adx : null);
      plus.push(adx.isDirectionReady ? adx.plusDi : null);
      minus.push(adx.isDirectionReady ? adx.minusDi : null);
    }
    const r = talibRun(candles, 'ADX', { optInTimePeriod: 14 });
    expect(r.begIndex).toBe(27);
    expect(compare(value, r.result.outReal!, r.begIndex)).toBeLessThanOrEqual(TOLERANCE);
    const p = talibRun(candles, 'PLUS_DI', { optInTimePeriod: 14 });
    const m = talibRun(candles, 'MINUS_DI', { optInTimePeriod: 14 });
    expect(p.begIndex).toBe(14);
    expect(compare(plus, p.result.outReal!, p.begIndex)).toBeLessThanOrEqual(TOLERANCE);
    expect(compare(minus, m.result.outReal!, m.begIndex)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('OBV matches TA-Lib OBV from index 0', () => {
    const obv = new Obv();
    const ours = candles.map((c) => obv.update(c));
    const r = talibRun(candles, 'OBV', {});
    expect(r.begIndex).toBe(0);
    expect(compare(ours, r.result.outReal!, r.begIndex)).toBeLessThanOrEqual(TOLERANCE);
  });

  // The set shares windows between indicators (SMA = Bollinger middle, one true range for ATR and ADX) and
  // is fed from columns here: every TA-Lib-covered output of that path is held to the same tolerance.
  it('IndicatorSet fed from OhlcvColumns matches TA-Lib on every output TA-Lib has', () => {
    const set = new IndicatorSet();
    const columns = OhlcvColumns.from(candles);
    const snapshots: IndicatorSnapshot[] = [];
    for (let i = 0; i < columns.length; i++) {
      set.advanceAt(columns, i);
      snapshots.push(set.snapshot());
    }
    const worst = (
      pick: (s: IndicatorSnapshot) => number | null | undefined,
      name: string,
      options = {},
      out = 'outReal',
    ) => {
      const r = talibRun(candles, name, options);
      return compare(
        snapshots.map((s) => pick(s) ?? null),
        r.result[out]!,
        r.begIndex,
      );
    };
    const errors = {
      ema9: worst((s) => s.ema9, 'EMA', { optInTimePeriod: 9 }),
      ema200: worst((s) => s.ema200, 'EMA', { optInTimePeriod: 200 }),
      sma20: worst((s) => s.sma20, 'SMA', { optInTimePeriod: 20 }),
      rsi14: worst((s) => s.rsi14, 'RSI', { optInTimePeriod: 14 }),
      macdSignal: worst((s) => s.macd?.signal, 'MACD', MACD_OPTIONS, 'outMACDSignal'),
      bbUpper: worst((s) => s.bollinger?.upper, 'BBANDS', BBANDS_OPTIONS, 'outRealUpperBand'),
      atr14: worst((s) => s.atr14, 'ATR', { optInTimePeriod: 14 }),
      adx14: worst((s) => s.adx14, 'ADX', { optInTimePeriod: 14 }),
      plusDi14: worst((s) => s.plusDi14, 'PLUS_DI', { optInTimePeriod: 14 }),
      minusDi14: worst((s) => s.minusDi14, 'MINUS_DI', { optInTimePeriod: 14 }),
      obv: worst((s) => s.obv, 'OBV'),
    };
    // Names the offending output, if any, rather than one anonymous maximum.
    expect(Object.entries(errors).filter(([, error]) => !(error <= TOLERANCE))).toEqual([]);
  });
});
