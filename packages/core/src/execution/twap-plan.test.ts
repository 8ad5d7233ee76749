import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMultipleOfStep } from '../risk/precision';
import { marketOrderCap } from './market-close-chunks';
import { smallestSliceQty } from './smallest-order';
import { planTwap, type TwapInput, twapTooLarge } from './twap-plan';

// Binance spot BTCUSDT in the recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz):
// step 0.00001, minimum quantity 0.00001, minimum notional 10, LOT_SIZE maxQty 9000, MARKET_LOT_SIZE
// maxQty 100.05381873. Touch: the best ask of the recorded 2021-04-04 book.
const BTC = { stepSize: 0.00001, minQty: 0.00001, minNotional: 10, maxQty: 9000, marketMaxQty: 100.05381873 };
const TOUCH = 58_001.04;

const plan = (over: Partial<TwapInput> & Pick<TwapInput, 'totalQty' | 'slices'>) =>
  planTwap({
    durationMs: 60_000,
    startAt: 0,
    stepSize: BTC.stepSize,
    minSliceQty: smallestSliceQty(BTC, TOUCH),
    maxSliceQty: marketOrderCap(BTC, TOUCH),
    jitter: 0,
    random01: () => 0.5,
    ...over,
  });

describe('planTwap within the venue maximum', () => {
  it('plans 250 BTC asked in 2 slices as 3 within MARKET_LOT_SIZE, over the same minute', () => {
    // 2 slices of 125 BTC: each refused whole (MARKET_LOT_SIZE maxQty 100.05381873).
    expect(plan({ totalQty: 250, slices: 2 })).toEqual([
      { index: 0, qty: 83.33333, dueAt: 0 },
      { index: 1, qty: 83.33333, dueAt: 30_000 },
      { index: 2, qty: 83.33334, dueAt: 60_000 },
    ]);
  });

  it('keeps the slices asked for when they fit, the last taking the remainder', () => {
    expect(plan({ totalQty: 250, slices: 5 }).map((s) => s.qty)).toEqual([50, 50, 50, 50, 50]);
    expect(plan({ totalQty: 0.01, slices: 3 }).map((s) => s.qty)).toEqual([0.00333, 0.00333, 0.00334]);
  });

  it('spreads the remainder a step each when the last slice would take it above the maximum', () => {
    // Equal 0.00399 and a last of 0.00401, one step above a 0.004 maximum.
    const rules = { ...BTC, marketMaxQty: 0.004 };
    expect(
      plan({ totalQty: 0.01199, slices: 3, maxSliceQty: marketOrderCap(rules, TOUCH) }).map((s) => s.qty),
    ).toEqual([0.004, 0.004, 0.00399]);
  });

  it('caps a slice by the maximum notional at the touch raised by the margin', () => {
    // 1,100,000 USDT at 50,000 × 1.1: 20 BTC a slice at most.
    const cap = marketOrderCap({ ...BTC, maxNotional: 1_100_000 }, 50_000);
    expect(plan({ totalQty: 50, slices: 2, maxSliceQty: cap }).map((s) => s.qty)).toEqual([
      16.66666, 16.66666, 16.66668,
    ]);
  });

  it('adds up to the order in whole steps, each slice within the maximum and at least the smallest slice', () => {
    const input = fc
      .record({ capSteps: fc.integer({ min: 2, max: 5_000 }), slices: fc.integer({ min: 1, max: 12 }) })
      .chain(({ capSteps, slices }) =>
        fc.record({
          capSteps: fc.constant(capSteps),
          slices: fc.constant(slices),
          qtySteps: fc.integer({ min: 1, max: capSteps * 30 }),
          minSteps: fc.integer({ min: 1, max: Math.floor(capSteps / 2) }),
        }),
      );
    const onStep = (steps: number) => Number((steps * BTC.stepSize).toFixed(5));
    fc.assert(
      fc.property(input, ({ capSteps, slices, qtySteps, minSteps }) => {
        const cap = onStep(capSteps);
        const min = onStep(minSteps);
        const planned = plan({ totalQty: onStep(qtySteps), slices, minSliceQty: min, maxSliceQty: cap });
        expect(planned.reduce((steps, s) => steps + Math.round(s.qty / BTC.stepSize), 0)).toBe(qtySteps);
        expect(planned.length).toBeGreaterThanOrEqual(Math.ceil(qtySteps / capSteps));
        for (const s of planned) {
          expect(isMultipleOfStep(s.qty, BTC.stepSize)).toBe(true);
          expect(s.qty).toBeLessThanOrEqual(cap);
          if (planned.length > 1) expect(s.qty).toBeGreaterThanOrEqual(min);
        }
        expect(planned.at(-1)?.dueAt).toBe(planned.length > 1 ? 60_000 : 0);
      }),
    );
  });
});

describe('twapTooLarge', () => {
  it('takes 100,053.81 BTC as 1,000 market orders of 100.05381 and refuses 100,054, which needs 1,001', () => {
    const cap = marketOrderCap(BTC, TOUCH);
    expect(cap).toBe(100.05381);
    expect(twapTooLarge(100_053.81, cap, BTC.stepSize)).toBeNull();
    expect(twapTooLarge(100_054, cap, BTC.stepSize)).toBe(
      'a TWAP of 100054 needs 1001 orders of at most 100.05381 (the market maximum): more than 1000',
    );
    expect(twapTooLarge(1e12, undefined, BTC.stepSize)).toBeNull();
  });
});
