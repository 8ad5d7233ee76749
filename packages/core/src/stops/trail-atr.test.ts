import type { Candle } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { Atr } from '../indicators/atr';
import { parseBinanceKlineCsv } from '../market';
import { TrailAtr } from './trail-atr';

// Real SOLUSDT 1h bars from 2021-06-01 00:00 UTC on (binance-spot-ohlcv/SOLUSDT-1h.csv.gz).
const bars: Candle[] = parseBinanceKlineCsv(readDataFile('binance-spot-ohlcv/SOLUSDT-1h.csv.gz'), {
  exchange: 'binance',
  symbol: 'SOL-USDT',
  timeframe: '1h',
}).candles.filter((c) => c.openTime >= Date.UTC(2021, 5, 1));
const day = bars.slice(0, 24);

/** TA-Lib's ATR(14) over the bars, each once, in order. */
function reference(series: Candle[]): number | null {
  const atr = new Atr(14);
  for (const b of series) atr.push(b);
  return atr.value;
}

describe('TrailAtr', () => {
  it('takes each bar once: a redelivered or older bar leaves the ATR as it was', () => {
    const atr = new TrailAtr(14);
    const taken: boolean[] = [];
    for (const [i, b] of day.entries()) {
      taken.push(atr.take(b));
      // After each bar the one before it and the bar itself come again, as JetStream redelivers.
      if (i > 0) taken.push(atr.take(day[i - 1] as Candle));
      taken.push(atr.take(b));
    }
    expect(taken.filter((t) => t)).toHaveLength(24);
    expect(atr.value).toBe(reference(day));
    expect(atr.value).not.toBeNull();
    expect(atr.lastOpenTime).toBe(day[23]?.openTime);
  });

  it('counts a bar read at warm-up and then delivered live once', () => {
    const atr = new TrailAtr(14);
    for (const b of day.slice(0, 14)) atr.take(b);
    expect([atr.isReady, atr.value]).toEqual([false, null]);
    atr.take(day[14] as Candle);
    expect(atr.isReady).toBe(true);
    expect(atr.value).toBe(reference(day.slice(0, 15)));
    // The live stream's first bars: the newest stored one again, then the next.
    expect(atr.take(day[14] as Candle)).toBe(false);
    expect(atr.take(day[15] as Candle)).toBe(true);
    expect(atr.value).toBe(reference(day.slice(0, 16)));
  });
});
