import { describe, expect, it } from 'vitest';
import { candleBook } from './candle-book';

describe('candleBook', () => {
  // ETH-USDT's open on 2021-10-10 02:00 UTC (binance-spot-ohlcv/ETHUSDT-1h.csv.gz) with 5 bps: the raw
  // ask 3505.28 × 1.0005 = 3507.03264 is not a price Binance quotes (tick 0.01).
  it('rounds each side to the tick, against the taker', () => {
    const book = candleBook('binance', 'ETH-USDT', 3505.28, 5, 0.01, 0, 1);
    expect(book.asks[0]![0]).toBe(3507.04);
    expect(book.bids[0]![0]).toBe(3503.52);
  });

  it('leaves a price already on the tick where it is', () => {
    const book = candleBook('binance', 'BTC-USDT', 50_000, 10, 0.01, 0, 1);
    expect(book.asks[0]![0]).toBe(50_050);
    expect(book.bids[0]![0]).toBe(49_950);
  });
});
