import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMultipleOfStep } from '../risk/precision';
import { closeValuationPrice, marketCloseChunks, marketOrderCap } from './market-close-chunks';
import { smallestOrderQty } from './smallest-order';

// Binance spot BTCUSDT in the recorded exchangeInfo (2021-10-12): step 0.00001, minimum quantity
// 0.00001, minimum notional 10, LOT_SIZE maxQty 9000, MARKET_LOT_SIZE maxQty 100.05381873.
const BTC = { stepSize: 0.00001, minQty: 0.00001, minNotional: 10, maxQty: 9000, marketMaxQty: 100.05381873 };

describe('marketOrderCap', () => {
  it('is the lowest maximum on the step: MARKET_LOT_SIZE under LOT_SIZE, rounded down', () => {
    expect(marketOrderCap(BTC, 60_000)).toBe(100.05381);
  });

  it('caps the notional at the price raised by the margin, and not without a price', () => {
    const rules = { ...BTC, maxNotional: 1_100_000 };
    expect(marketOrderCap(rules, 50_000)).toBe(20);
    expect(marketOrderCap(rules, 0)).toBe(100.05381);
    expect(marketOrderCap({ stepSize: 0.00001, maxNotional: 1_000 }, 0)).toBeUndefined();
  });
});

describe('marketCloseChunks', () => {
  it('keeps a close within the cap whole', () => {
    expect(marketCloseChunks(100.05381, BTC, 60_000)).toEqual([100.05381]);
    expect(marketCloseChunks(0.01, { stepSize: 0.00001 }, 60_000)).toEqual([0.01]);
  });

  it('splits a close above MARKET_LOT_SIZE into as few equal orders as fit, on the step', () => {
    expect(marketCloseChunks(250, BTC, 60_000)).toEqual([83.33334, 83.33333, 83.33333]);
    expect(marketCloseChunks(0.01, { ...BTC, marketMaxQty: 0.004 }, 60_000)).toEqual([
      0.00334, 0.00333, 0.00333,
    ]);
  });

  it('leaves no sub-minimum remainder: just over the cap is two halves, not the cap and a crumb', () => {
    // Cap and remainder would be 100.05381 and 0.00001, worth 0.6 USDT against a minimum of 10.
    expect(marketCloseChunks(100.05382, BTC, 60_000)).toEqual([50.02691, 50.02691]);
  });

  it('keeps a close whole when the cap is below one step: nothing the venue takes can be cut', () => {
    expect(marketCloseChunks(0.5, { ...BTC, marketMaxQty: 0.000001 }, 60_000)).toEqual([0.5]);
  });

  it('adds up to the close, each piece on the step, within the cap and at least the smallest order', () => {
    const market = fc
      .record({
        stepSize: fc.constantFrom(0.00001, 0.001, 0.1, 1),
        capSteps: fc.integer({ min: 2, max: 10_000 }),
      })
      .chain(({ stepSize, capSteps }) =>
        fc.record({
          stepSize: fc.constant(stepSize),
          capSteps: fc.constant(capSteps),
          qtySteps: fc.integer({ min: 1, max: capSteps * 40 }),
          price: fc.double({ min: 1, max: 100_000, noNaN: true }),
        }),
      );
    const onStep = (steps: number, stepSize: number) => Number((steps * stepSize).toFixed(5));
    fc.assert(
      fc.property(market, ({ stepSize, capSteps, qtySteps, price }) => {
        const marketMaxQty = onStep(capSteps, stepSize);
        const qty = onStep(qtySteps, stepSize);
        // The venue's smallest order at most half its cap, as every real venue's is.
        const rules = {
          stepSize,
          minQty: onStep(Math.floor(capSteps / 2), stepSize),
          minNotional: 0,
          marketMaxQty,
        };
        const chunks = marketCloseChunks(qty, rules, price);
        expect(chunks.reduce((steps, c) => steps + Math.round(c / stepSize), 0)).toBe(qtySteps);
        expect(chunks).toHaveLength(Math.ceil(qtySteps / capSteps));
        for (const chunk of chunks) {
          expect(isMultipleOfStep(chunk, stepSize)).toBe(true);
          expect(chunk).toBeLessThanOrEqual(marketMaxQty);
          if (chunks.length > 1) expect(chunk).toBeGreaterThanOrEqual(smallestOrderQty(rules, price));
        }
      }),
    );
  });
});

describe('closeValuationPrice', () => {
  it('values a close at the fresh touch, else at twice the entry, else leaves the notional unchecked', () => {
    expect(closeValuationPrice(61_000, 50_000)).toBe(61_000);
    expect(closeValuationPrice(undefined, 50_000)).toBe(100_000);
    expect(closeValuationPrice(undefined, undefined)).toBe(0);
  });
});
