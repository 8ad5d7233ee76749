import { describe, expect, it } from 'vitest';
import { closeIntentId, isOwnClose, isTakeProfitClose, takeProfitPurpose } from './close-intent';

describe('closeIntentId', () => {
  it('names a close by its position and purpose', () => {
    expect(closeIntentId('binance:BTC-USDT', 'tp1:3')).toBe('stops:binance:BTC-USDT:tp1:3');
  });
});

describe('isOwnClose', () => {
  it("recognises any close of the position, and no other position's or an entry's intent", () => {
    expect(isOwnClose('p1', 'stops:p1:flatten:2')).toBe(true);
    expect(isOwnClose('p1', 'stops:p10:flatten:2')).toBe(false);
    expect(isOwnClose('p1', 'intent-7')).toBe(false);
    expect(isOwnClose('p1', null)).toBe(false);
    expect(isOwnClose('p1', undefined)).toBe(false);
  });
});

describe('isTakeProfitClose', () => {
  it('tells a take-profit sale from every close a stop sends, on the ids the stops service builds', () => {
    const position = 'binance:BTC-USDT';
    expect(isTakeProfitClose(closeIntentId(position, takeProfitPurpose(1, 3)))).toBe(true);
    expect(isTakeProfitClose(closeIntentId(position, takeProfitPurpose(12, 140)))).toBe(true);
    for (const purpose of [
      'trigger:bls0123456789abcdef',
      `trigger:${takeProfitPurpose(2, 7)}`,
      'local:4',
      'close:5',
      'flatten:2',
      'gap:bls0f',
    ])
      expect(isTakeProfitClose(closeIntentId(position, purpose)), purpose).toBe(false);
    expect(isTakeProfitClose(null)).toBe(false);
    expect(isTakeProfitClose('intent-tp1:3')).toBe(false);
  });
});
