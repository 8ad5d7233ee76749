import { describe, expect, it } from 'vitest';
import { CandleSequencer, sequenceCandle } from './candle-sequencer';

// Open times from binance-spot-ohlcv/BTCUSDT-1h.csv.gz around its 33-hour gap from 2018-02-08 00:00.
const H = 3_600_000;
const beforeGap = Date.UTC(2018, 1, 7, 23);
const afterGap = beforeGap + 34 * H;

describe('sequenceCandle', () => {
  it('accepts the first candle and the next one in order', () => {
    expect(sequenceCandle(null, beforeGap, '1h')).toEqual({ kind: 'in_order' });
    expect(sequenceCandle(beforeGap - H, beforeGap, '1h')).toEqual({ kind: 'in_order' });
  });

  it('reports the missing range of a gap', () => {
    expect(sequenceCandle(beforeGap, afterGap, '1h')).toEqual({
      kind: 'gap',
      fromOpenTime: beforeGap + H,
      toOpenTime: afterGap - H,
      missing: 33,
    });
  });

  it('drops duplicates, older candles and misaligned ones', () => {
    expect(sequenceCandle(beforeGap, beforeGap, '1h')).toEqual({ kind: 'duplicate' });
    expect(sequenceCandle(beforeGap, beforeGap - H, '1h')).toEqual({
      kind: 'out_of_order',
      lastOpenTime: beforeGap,
    });
    expect(sequenceCandle(beforeGap, beforeGap + 60_000, '1h')).toEqual({
      kind: 'misaligned',
      openTime: beforeGap + 60_000,
    });
  });
});

describe('CandleSequencer', () => {
  it('keys by exchange, symbol and timeframe and never moves backwards', () => {
    const seq = new CandleSequencer();
    const btc = { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '1h' as const };
    seq.accept({ ...btc, openTime: beforeGap });
    expect(seq.check({ ...btc, openTime: beforeGap + H })).toEqual({ kind: 'in_order' });
    expect(seq.check({ ...btc, exchange: 'bybit', openTime: afterGap })).toEqual({ kind: 'in_order' });
    seq.accept({ ...btc, openTime: beforeGap - H });
    expect(seq.lastOpenTime(btc)).toBe(beforeGap);
    seq.seed({ ...btc, timeframe: '4h' }, beforeGap - 3 * H);
    expect(seq.check({ ...btc, timeframe: '4h', openTime: beforeGap + 5 * H })).toEqual({
      kind: 'gap',
      fromOpenTime: beforeGap + H,
      toOpenTime: beforeGap + H,
      missing: 1,
    });
  });
});
