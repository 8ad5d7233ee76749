import { describe, expect, it } from 'vitest';
import { sellingAll, takeProfitSent } from './pending-take-profit';

describe('sellingAll', () => {
  it('is true only while a take-profit keeping nothing is out', () => {
    expect(sellingAll({ takeProfit: { keep: 0 } })).toBe(true);
    expect(sellingAll({ takeProfit: { keep: 0.5 } })).toBe(false);
    expect(sellingAll({ takeProfit: null })).toBe(false);
  });
});

describe('takeProfitSent', () => {
  it('counts a partial take-profit as sent once its stop covers only what stays', () => {
    expect(takeProfitSent({ qty: 0.5, clientOrderId: 's-2' }, { keep: 0.5 }, false)).toBe(true);
    expect(takeProfitSent({ qty: 1, clientOrderId: 's-1' }, { keep: 0.5 }, false)).toBe(false);
  });

  it('counts a whole sale as sent once its spot stop is cancelled, or at once where stops are reduce-only', () => {
    expect(takeProfitSent({ qty: 1, clientOrderId: null }, { keep: 0 }, false)).toBe(true);
    expect(takeProfitSent({ qty: 1, clientOrderId: 's-1' }, { keep: 0 }, false)).toBe(false);
    expect(takeProfitSent({ qty: 1, clientOrderId: 's-1' }, { keep: 0 }, true)).toBe(true);
  });
});
