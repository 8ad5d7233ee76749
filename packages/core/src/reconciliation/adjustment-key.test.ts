import { describe, expect, it } from 'vitest';
import { adjustmentKey } from './adjustment-key';

const adjustment = { venue: 'binance', symbol: 'BTC-USDT', before: 0.002, diff: 0.001, fills: 3 };

describe('adjustmentKey', () => {
  it('is the same for the same difference measured by two runs: one adjusting fill, however many ask', () => {
    expect(adjustmentKey(adjustment)).toBe(adjustmentKey({ ...adjustment }));
  });

  it('differs for another venue, market, position, adjustment or count of fills', () => {
    const keys = new Set([
      adjustmentKey(adjustment),
      adjustmentKey({ ...adjustment, venue: 'bybit' }),
      adjustmentKey({ ...adjustment, symbol: 'ETH-USDT' }),
      adjustmentKey({ ...adjustment, before: 0.003 }),
      adjustmentKey({ ...adjustment, diff: -0.001 }),
      adjustmentKey({ ...adjustment, fills: 4 }),
    ]);
    expect(keys.size).toBe(6);
  });
});
