import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalPlaces, isMultipleOfStep, roundDownToStep, roundToStep, roundUpToStep } from './precision';
import { binanceSpotRules } from './real-market.fixture';
import { sizeOrder } from './size-order';

// Real filters: binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz (BTCUSDT tick 0.01, step 0.00001, minNotional 10).
const { BTCUSDT: btc, XRPUSDT: xrp } = binanceSpotRules(['BTCUSDT', 'XRPUSDT']);

describe('precision', () => {
  it('counts the decimals a step needs, including exponent notation', () => {
    expect([0.01, 0.00001, 1e-7, 1.5e-7, 0.25, 1, 10].map(decimalPlaces)).toEqual([2, 5, 7, 8, 2, 0, 0]);
  });

  it('rounds quantities down on the step grid without binary noise', () => {
    expect(roundDownToStep(0.1 + 0.2, 0.00001)).toBe(0.3);
    expect(roundDownToStep(0.1 + 0.2, 0.1)).toBe(0.3);
    expect(roundDownToStep(0.123456789, 0.00001)).toBe(0.12345);
    expect(roundDownToStep(1.000009999, 0.00001)).toBe(1);
    expect(roundDownToStep(57.9, 1)).toBe(57);
  });

  it('knows a value on the step grid, however many steps it counts, and one off it', () => {
    // A SOL position of 278.11016167 on the 1e-8 lot: 27,811,016,167 steps, divided with binary noise.
    expect(isMultipleOfStep(278.11016167, 1e-8)).toBe(true);
    expect(isMultipleOfStep(123_456_789.12345678, 1e-8)).toBe(true);
    expect(isMultipleOfStep(0.1 + 0.2, 0.1)).toBe(true);
    expect(isMultipleOfStep(0.75, 0.25)).toBe(true);
    expect(isMultipleOfStep(30, 10)).toBe(true);
    expect(isMultipleOfStep(0, 0.01)).toBe(true);
    expect(isMultipleOfStep(278.110161675, 1e-8)).toBe(false);
    expect(isMultipleOfStep(0.7, 0.25)).toBe(false);
    expect(isMultipleOfStep(35, 10)).toBe(false);
    expect(isMultipleOfStep(0.000000001, 1e-8)).toBe(false);
    expect(isMultipleOfStep(60650.005, 0.01)).toBe(false);
  });

  it('rounds prices to the nearest tick, and up when asked', () => {
    expect(roundToStep(60650.004, 0.01)).toBe(60650);
    expect(roundToStep(60650.005000001, 0.01)).toBe(60650.01);
    expect(roundUpToStep(0.7, 0.1)).toBe(0.7);
    expect(roundUpToStep(0.70001, 0.1)).toBe(0.8);
  });
});

describe('sizeOrder', () => {
  it('rounds a BTCUSDT order down to 0.00001 BTC and the price to 0.01', () => {
    expect(sizeOrder({ qty: 0.123456789, price: 60650.004 }, btc!)).toEqual({
      ok: true,
      qty: 0.12345,
      price: 60650,
      notional: 0.12345 * 60650,
    });
  });

  it('never returns float noise like 0.30000000000000004', () => {
    const sized = sizeOrder({ qty: 0.1 + 0.2, price: 60000 }, btc!);
    expect(sized).toMatchObject({ ok: true, qty: 0.3 });
    expect(String(sized.ok && sized.qty)).toBe('0.3');
  });

  it('denies an order below the BTCUSDT minimum notional of 10 USDT', () => {
    expect(sizeOrder({ qty: 0.00016, price: 60000 }, btc!)).toEqual({
      ok: false,
      reason: 'min_notional',
      limit: 10,
      value: 0.00016 * 60000,
      detail: 'notional 9.600000000000001 (0.00016 × 60000) is below the minimum 10',
    });
  });

  it('denies a quantity that rounds below the minimum quantity', () => {
    expect(sizeOrder({ qty: 0.000009, price: 60000 }, btc!)).toMatchObject({
      ok: false,
      reason: 'min_notional',
      limit: 0.00001,
      value: 0,
    });
    expect(sizeOrder({ qty: 0.99, price: 1.05 }, xrp!)).toMatchObject({
      ok: false,
      reason: 'min_notional',
      limit: 1,
    });
  });

  it('for any quantity: rounds down by less than one step, on the grid, with at most five decimals', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.0002, max: 50, noNaN: true }),
        fc.double({ min: 30000, max: 69000, noNaN: true }),
        (qty, price) => {
          const sized = sizeOrder({ qty, price }, btc!);
          if (!sized.ok) return sized.value < 10;
          const decimals = String(sized.qty).split('.')[1]?.length ?? 0;
          return (
            sized.qty <= qty + 1e-12 &&
            qty - sized.qty < btc!.stepSize &&
            isMultipleOfStep(sized.qty, btc!.stepSize) &&
            isMultipleOfStep(sized.price, btc!.tickSize) &&
            decimals <= 5 &&
            sized.notional >= 10
          );
        },
      ),
      { numRuns: 1000 },
    );
  });
});
