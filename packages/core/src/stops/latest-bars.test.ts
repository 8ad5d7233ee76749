import { describe, expect, it } from 'vitest';
import { LatestBars } from './latest-bars';

describe('LatestBars', () => {
  it('takes each series’ bars once and in order: a repeat or an older bar is past', () => {
    const bars = new LatestBars();
    const h = 3_600_000;
    expect(bars.take({ symbol: 'SOL-USDT', timeframe: '4h', openTime: 4 * h })).toBe(true);
    expect(bars.take({ symbol: 'SOL-USDT', timeframe: '4h', openTime: 4 * h })).toBe(false);
    expect(bars.take({ symbol: 'SOL-USDT', timeframe: '4h', openTime: 0 })).toBe(false);
    // Another timeframe or symbol is its own series.
    expect(bars.take({ symbol: 'SOL-USDT', timeframe: '1h', openTime: 0 })).toBe(true);
    expect(bars.take({ symbol: 'BTC-USDT', timeframe: '4h', openTime: 0 })).toBe(true);
    expect(bars.take({ symbol: 'SOL-USDT', timeframe: '4h', openTime: 8 * h })).toBe(true);
  });
});
