import { type MarketRules, orderFilterFailure } from '@ballast/core';
import { RECORDED_BTCUSDT_RULES } from '@ballast/testkit';
import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { toVenueError } from './ccxt-venue';

// Binance's refusals as POST /api/v3/order answers them (HTTP 400, `{"code":…,"msg":"…"}`), turned into
// errors by ccxt's own Binance error handling; the rules are BTCUSDT's in the recorded
// binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz (with a 9,000,000 NOTIONAL maximum, as
// Binance's NOTIONAL filter has since 2023), the touch the recorded book's best ask.
const rules: MarketRules = { ...RECORDED_BTCUSDT_RULES, maxNotional: 9_000_000 };
const TOUCH = 58_001.04;

function ccxtError(code: number, msg: string): unknown {
  const body = JSON.stringify({ code, msg });
  try {
    new ccxt.binance().handleErrors(
      400,
      'Bad Request',
      'https://api.binance.com/api/v3/order',
      'POST',
      {},
      body,
      JSON.parse(body),
      {},
      '',
    );
  } catch (err) {
    return err;
  }
  throw new Error(`ccxt raised nothing for ${body}`);
}

const filterFailure = (filter: string) => ccxtError(-1013, `Filter failure: ${filter}`);

describe('toVenueError: a Binance refusal named as the paper venue names it', () => {
  it.each([
    ['a market buy under the notional minimum', 'MIN_NOTIONAL', 0.0001, null, 'min_notional'],
    ['a limit buy under the notional minimum (NOTIONAL filter)', 'NOTIONAL', 0.0001, 30_000, 'min_notional'],
    ['a limit buy over the notional maximum', 'NOTIONAL', 200, 58_000, 'invalid_order'],
    ['a quantity off the step', 'LOT_SIZE', 0.000015, 58_000, 'precision'],
    ['a quantity over the maximum', 'LOT_SIZE', 9_001, 1_000, 'invalid_order'],
    ['a market quantity over the market maximum', 'MARKET_LOT_SIZE', 150, null, 'invalid_order'],
    ['a price off the tick', 'PRICE_FILTER', 0.001, 58_000.005, 'precision'],
    ['a price over the maximum', 'PRICE_FILTER', 0.001, 1_000_001, 'invalid_order'],
    ['a price outside the percent band', 'PERCENT_PRICE_BY_SIDE', 0.001, 300_000, 'invalid_order'],
  ] as const)('%s: Filter failure: %s', (_, filter, qty, price, reason) => {
    const order = { qty, price };
    const error = toVenueError(filterFailure(filter), 'createOrder', { order, rules });
    expect(error.reason).toBe(reason);
    expect(orderFilterFailure(order, rules, TOUCH)?.reason).toBe(reason);
    expect(error.message).toContain(`Filter failure: ${filter}`);
  });

  // Binance values a market order at its 5-minute average (`valuedAt`), which may stray from the touch.
  it.each([
    ['over the maximum at its reference price', 200, 50_000, 50_000, 'invalid_order'],
    ['over the maximum, valued at thrice its reference', 200, 20_000, 60_000, 'invalid_order'],
    ['under the minimum at its reference price', 0.00005, 50_000, 50_000, 'min_notional'],
  ] as const)(
    'names a market order refused NOTIONAL %s as paper does',
    (_, qty, referencePrice, valuedAt, reason) => {
      const order = { qty, price: null, referencePrice };
      const error = toVenueError(filterFailure('NOTIONAL'), 'createOrder', { order, rules });
      expect(error.reason).toBe(reason);
      expect(orderFilterFailure(order, rules, valuedAt)?.reason).toBe(reason);
    },
  );

  it('names the notional minimum without the order, and nothing finer', () => {
    expect(toVenueError(filterFailure('NOTIONAL'), 'createOrder').reason).toBe('min_notional');
    expect(toVenueError(filterFailure('LOT_SIZE'), 'createOrder').reason).toBe('invalid_order');
  });

  it('names a quantity finer than the asset allows (-1111) precision, and -2010 short funds insufficient_funds', () => {
    const finer = ccxtError(-1111, 'Precision is over the maximum defined for this asset.');
    expect(toVenueError(finer, 'createOrder').reason).toBe('precision');
    const funds = ccxtError(-2010, 'Account has insufficient balance for requested action.');
    expect(toVenueError(funds, 'createOrder').reason).toBe('insufficient_funds');
    expect(toVenueError(ccxtError(-2010, 'Duplicate order sent.'), 'createOrder').reason).toBe(
      'invalid_order',
    );
    expect(toVenueError(ccxtError(-2013, 'Order does not exist.'), 'fetchOrder').reason).toBe('not_found');
  });
});
