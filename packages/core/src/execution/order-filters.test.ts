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

describe('orderFilterFailure with the maximums and the percent band', () => {
  // BTCUSDT's other filters in the same recording: LOT_SIZE maxQty 9000, MARKET_LOT_SIZE maxQty
  // 100.05381873, PRICE_FILTER 0.01..1000000, PERCENT_PRICE up 5 / down 0.2.
  const full = {
    ...BTC,
    maxQty: 9000,
    marketMaxQty: 100.05381873,
    minPrice: 0.01,
    maxPrice: 1_000_000,
    percentPrice: { buy: { up: 5, down: 0.2 }, sell: { up: 5, down: 0.2 } },
  };

  it('refuses a quantity above LOT_SIZE maxQty (LOT_SIZE)', () => {
    expect(orderFilterFailure({ qty: 9500, price: 60_000 }, full, 60_000)).toMatchObject({
      filter: 'LOT_SIZE',
      reason: 'invalid_order',
    });
  });

  it('refuses a market quantity above MARKET_LOT_SIZE maxQty, which a limit of the same size passes', () => {
    expect(orderFilterFailure({ qty: 150, price: null }, full, 60_000)).toMatchObject({
      filter: 'MARKET_LOT_SIZE',
      reason: 'invalid_order',
      detail: 'Filter failure: MARKET_LOT_SIZE: market quantity 150 is above the maximum 100.05381873',
    });
    expect(orderFilterFailure({ qty: 150, price: 60_000 }, full, 60_000)).toBeNull();
  });

  it('refuses a limit sell above 5× the reference and a limit buy below 0.2× (PERCENT_PRICE)', () => {
    expect(orderFilterFailure({ qty: 0.001, price: 400_000, side: 'sell' }, full, 60_000)).toMatchObject({
      filter: 'PERCENT_PRICE',
    });
    expect(orderFilterFailure({ qty: 1, price: 11_999.99, side: 'buy' }, full, 60_000)).toMatchObject({
      filter: 'PERCENT_PRICE',
    });
    expect(orderFilterFailure({ qty: 1, price: 12_000, side: 'buy' }, full, 60_000)).toBeNull();
  });

  it('refuses a limit price outside PRICE_FILTER min/max and a notional above maxNotional', () => {
    expect(orderFilterFailure({ qty: 0.00001, price: 1_000_000.01 }, full, 0)).toMatchObject({
      filter: 'PRICE_FILTER',
      reason: 'invalid_order',
    });
    expect(
      orderFilterFailure({ qty: 2, price: null }, { ...BTC, maxNotional: 100_000 }, 60_000),
    ).toMatchObject({
      filter: 'NOTIONAL',
      reason: 'invalid_order',
    });
  });
});
