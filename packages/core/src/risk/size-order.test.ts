import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMultipleOfStep } from './precision';
import { binanceSpotRules } from './real-market.fixture';
import { sizeOrder } from './size-order';

// Real filters: binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz (BTCUSDT tick 0.01, step 0.00001, minNotional 10).
const { BTCUSDT: btc, XRPUSDT: xrp } = binanceSpotRules(['BTCUSDT', 'XRPUSDT']);

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
