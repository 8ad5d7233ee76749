import { describe, expect, it } from 'vitest';
import { checkDriftFromAccepted } from './slippage-guard';

describe('checkDriftFromAccepted', () => {
  it('fails a buy averaging more than maxBps above the accepted touch, and passes one below it', () => {
    expect(
      checkDriftFromAccepted({ side: 'buy', acceptedTouch: 100, avgPrice: 100.3, maxBps: 20 }),
    ).toMatchObject({ ok: false, reason: 'price_moved', limit: 20 });
    expect(checkDriftFromAccepted({ side: 'buy', acceptedTouch: 100, avgPrice: 99, maxBps: 20 })).toEqual({
      ok: true,
    });
  });

  it('fails a sell averaging more than maxBps below the accepted touch', () => {
    const check = checkDriftFromAccepted({ side: 'sell', acceptedTouch: 100, avgPrice: 99.7, maxBps: 20 });
    expect(check.ok ? null : Math.round(check.value)).toBe(30);
  });
});
