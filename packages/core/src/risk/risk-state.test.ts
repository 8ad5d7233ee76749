import { describe, expect, it } from 'vitest';
import { inMarket, inMarketSide, marketSideKey, positionRisk } from './risk-state';

// Entry at the recorded BTC-USDT book's best ask (binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json).
const ENTRY = 58001.04;

describe('a position’s open risk', () => {
  it('is what its stop would lose: below entry for a long, above it for a short', () => {
    expect(positionRisk({ side: 'long', qty: 0.02, entry: ENTRY, stop: 57400 })).toBeCloseTo(
      0.02 * 601.04,
      9,
    );
    expect(positionRisk({ side: 'short', qty: 0.02, entry: ENTRY, stop: 58600 })).toBeCloseTo(
      0.02 * 598.96,
      9,
    );
  });

  it('is nothing once the stop has moved past entry into profit', () => {
    expect(positionRisk({ side: 'long', qty: 0.02, entry: ENTRY, stop: 58100 })).toBe(0);
    expect(positionRisk({ side: 'short', qty: 0.02, entry: ENTRY, stop: 57900 })).toBe(0);
  });

  it('is the whole notional, short or long, while the stop is not known', () => {
    expect(positionRisk({ side: 'long', qty: 0.02, entry: ENTRY, stop: 0 })).toBeCloseTo(0.02 * ENTRY, 9);
    expect(positionRisk({ side: 'short', qty: 0.02, entry: ENTRY, stop: 0 })).toBeCloseTo(0.02 * ENTRY, 9);
  });
});

describe('where a position or an approved entry is', () => {
  const btcLong = { exchange: 'binance', symbol: 'BTC-USDT', side: 'long' as const };

  it('is in a market on either side, and in a market side only on that side of that market', () => {
    const short = { ...btcLong, side: 'short' as const };
    expect([btcLong, short, { ...btcLong, exchange: 'bybit' }].map(inMarket(btcLong))).toEqual([
      true,
      true,
      false,
    ]);
    const elsewhere = [short, { ...btcLong, symbol: 'ETH-USDT' }, { ...btcLong, exchange: 'bybit' }];
    expect([btcLong, ...elsewhere].map(inMarketSide(btcLong))).toEqual([true, false, false, false]);
  });

  it('is keyed by market and side', () => {
    expect(marketSideKey(btcLong)).toBe('binance:BTC-USDT:long');
  });
});
