import type { Candle } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { parseBinanceKlineCsv } from '../market';
import { BollingerBands } from './bollinger-bands';
import { IndicatorSet, type IndicatorSnapshot } from './indicator-set';
import { periodsPerYear } from './realised-volatility';

const BTC_FILE = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';
const DOGE_FILE = 'binance-spot-ohlcv/DOGEUSDT-1h.csv.gz';

function candlesOf(file: string, symbol: string): Candle[] {
  const parsed = parseBinanceKlineCsv(readDataFile(file), { exchange: 'binance', symbol, timeframe: '1h' });
  expect(parsed.errors).toEqual([]);
  return parsed.candles;
}

const scaled = (c: Candle, k: number): Candle => ({
  ...c,
  open: c.open * k,
  high: c.high * k,
  low: c.low * k,
  close: c.close * k,
});

/** The dimensionless outputs: none may change when every price is multiplied by the same factor. */
function dimensionless(s: IndicatorSnapshot) {
  return {
    rsi14: s.rsi14,
    adx14: s.adx14,
    plusDi14: s.plusDi14,
    minusDi14: s.minusDi14,
    bandwidth: s.bollinger?.bandwidth ?? null,
    bandwidthRatio: s.bollinger?.bandwidthRatio ?? null,
    squeeze: s.bollinger?.squeeze ?? null,
    regime: s.regime,
  };
}

describe('indicators are independent of the price scale (zero tests relative to price, not TA-Lib 1e-8)', () => {
  const btc = candlesOf(BTC_FILE, 'BTC-USDT');

  // Powers of two scale a double exactly, so only a zero test tied to an absolute size can change a
  // result. BTC at 0.02 (×2⁻²⁰) is DOGE in 2019; at 2e-5 (×2⁻³⁰) a SHIB/PEPE-class coin;
  // at 2e-8 (×2⁻⁴⁰) such a coin quoted in BTC.
  it.each([2 ** -20, 2 ** -30, 2 ** -40])(
    'gives the same RSI, ADX/DI, bandwidth and regime on BTCUSDT-1h prices × %s',
    (k) => {
      const plain = new IndicatorSet({ periodsPerYear: periodsPerYear('1h') });
      const small = new IndicatorSet({ periodsPerYear: periodsPerYear('1h') });
      let differing = 0;
      for (const c of btc) {
        const a = dimensionless(plain.update(c));
        const b = dimensionless(small.update(scaled(c, k)));
        if (JSON.stringify(a) !== JSON.stringify(b)) differing++;
      }
      expect(differing).toBe(0);
    },
  );

  it('gives DOGEUSDT-1h at 0.0037 (2019-07-06 07:00) bands of its real 20-bar deviation, not zero width', () => {
    const doge = candlesOf(DOGE_FILE, 'DOGE-USDT');
    const at = doge.findIndex((c) => c.openTime === Date.UTC(2019, 6, 6, 7));
    expect(doge[at]!.close).toBe(0.0036599);
    const bands = new BollingerBands();
    for (const c of doge.slice(0, at + 1)) bands.update(c.close);
    const window = doge.slice(at - 19, at + 1).map((c) => c.close);
    const mean = window.reduce((s, x) => s + x, 0) / 20;
    const deviation = Math.sqrt(window.reduce((s, x) => s + (x - mean) ** 2, 0) / 20);
    expect(deviation).toBeGreaterThan(0);
    expect(bands.upper - bands.middle).toBeCloseTo(2 * deviation, 10);
    expect(bands.bandwidth).toBeCloseTo((4 * deviation) / mean, 6);
  });
});
