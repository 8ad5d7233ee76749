import { describe, expect, it } from 'vitest';
import { orderFilterFailure } from './order-filters';

// Binance spot BTCUSDT as in the recorded exchangeInfo (2021-10-12): tick 0.01, step 0.00001, minimum
// quantity 0.00001, minimum notional 10.
const BTC = { tickSize: 0.01, stepSize: 0.00001, minQty: 0.00001, minNotional: 10 };

describe('orderFilterFailure', () => {
  it('passes an order on the step and tick, worth at least the minimum notional', () => {
    expect(orderFilterFailure({ qty: 0.00025, price: 40_000 }, BTC, 40_000)).toBeNull();
    expect(orderFilterFailure({ qty: 278.11016, price: null }, BTC, 61_000)).toBeNull();
  });

  it('refuses a quantity off the step (LOT_SIZE, precision)', () => {
    expect(orderFilterFailure({ qty: 0.0339716, price: null }, BTC, 44_000)).toMatchObject({
      filter: 'LOT_SIZE',
      reason: 'precision',
    });
  });

  it('refuses a limit price off the tick (PRICE_FILTER, precision)', () => {
    expect(orderFilterFailure({ qty: 0.001, price: 44_176.597 }, BTC, 44_000)).toMatchObject({
      filter: 'PRICE_FILTER',
      reason: 'precision',
    });
  });

  it('refuses less than the minimum notional, valuing a market order at the reference price', () => {
    const market = orderFilterFailure({ qty: 0.0002, price: null }, BTC, 49_999.99);
    expect(market).toMatchObject({ filter: 'NOTIONAL', reason: 'min_notional' });
    expect(market?.detail).toContain('below the minimum 10');
    expect(orderFilterFailure({ qty: 0.0002, price: null }, BTC, 50_000)).toBeNull();
    expect(orderFilterFailure({ qty: 0.0002, price: 49_000 }, BTC, 60_000)).toMatchObject({
      filter: 'NOTIONAL',
    });
  });

  it('refuses less than the minimum quantity', () => {
    const rules = { ...BTC, minQty: 0.001 };
    expect(orderFilterFailure({ qty: 0.0005, price: null }, rules, 50_000)).toMatchObject({
      filter: 'LOT_SIZE',
      reason: 'invalid_order',
    });
  });
});
