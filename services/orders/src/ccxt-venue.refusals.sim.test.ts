import { orderFilterFailure } from '@ballast/core';
import { CcxtStopVenue, CcxtVenue, VenueError, type VenueOrderRequest } from '@ballast/exchange';
import { type SimDbFixture, startVenueFixture } from '@ballast/exchange-sim/testing';
import { RECORDED_BTCUSDT_RULES } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simVenueConfig } from './testing/sim-client';

// The simulator answers POST /api/v3/order as Binance does, with the filters of the recorded
// binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz (BTCUSDT: MIN_NOTIONAL 10 USDT applied to
// market orders, LOT_SIZE up to 9,000, PRICE_FILTER up to 1,000,000) and market orders priced on
// binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json (best ask 58001.04). The paper venue's
// reason for each order is core's orderFilterFailure against the same rules at that touch.
const ACCOUNT = { apiKey: 'refusals-key', secret: 'refusals-secret' };
const TOUCH = 58_001.04;

let fixture: SimDbFixture;

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'ccxt_venue_refusals',
    account: { ...ACCOUNT, balances: { USDT: '100', BTC: '0.01' } },
    bus: false,
  });
});

afterAll(() => fixture?.close());

const config = () => simVenueConfig(fixture.sim, ACCOUNT);

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'placed',
    (err: unknown) => (err instanceof VenueError ? err : new VenueError('unknown', String(err))),
  );

const order = (
  clientOrderId: string,
  side: 'buy' | 'sell',
  qty: number,
  price: number | null,
): VenueOrderRequest => ({
  clientOrderId,
  symbol: 'BTC-USDT',
  side,
  type: price === null ? 'market' : 'limit',
  qty,
  price,
  reduceOnly: false,
});

describe('CcxtVenue: Binance refusals carry the paper venue reasons', () => {
  it.each([
    [
      'a market buy under the notional minimum',
      'MIN_NOTIONAL',
      order('r-market', 'buy', 0.0001, null),
      'min_notional',
    ],
    [
      'a limit buy under the notional minimum',
      'MIN_NOTIONAL',
      order('r-limit', 'buy', 0.0001, 30_000),
      'min_notional',
    ],
    [
      'a limit buy over the quantity maximum',
      'LOT_SIZE',
      order('r-lot', 'buy', 9_001, 1_000),
      'invalid_order',
    ],
    [
      'a limit sell over the price maximum',
      'PRICE_FILTER',
      order('r-price', 'sell', 0.001, 1_000_001),
      'invalid_order',
    ],
  ] as const)('%s: Filter failure: %s', async (_, filter, request, reason) => {
    const refused = await refusal(new CcxtVenue(config()).submit(request));
    expect(refused).toMatchObject({ reason });
    expect((refused as VenueError).message).toContain(`"code":-1013,"msg":"Filter failure: ${filter}"`);
    expect(orderFilterFailure(request, RECORDED_BTCUSDT_RULES, TOUCH)?.reason).toBe(reason);
  });

  it('names a buy the balance cannot pay insufficient_funds (-2010)', async () => {
    const refused = await refusal(new CcxtVenue(config()).submit(order('r-funds', 'buy', 0.01, null)));
    expect(refused).toMatchObject({ reason: 'insufficient_funds' });
    expect((refused as VenueError).message).toMatch(/Account has insufficient balance/);
  });

  it('names a stop-limit under the notional minimum min_notional', async () => {
    const stops = new CcxtStopVenue({ ...config(), limitOffsetBps: 50 });
    const request = {
      clientOrderId: 'r-stop',
      symbol: 'BTC-USDT',
      side: 'sell' as const,
      qty: 0.0001,
      stopPrice: 50_000,
      reduceOnly: false,
    };
    const refused = await refusal(stops.placeStop(request));
    expect(refused).toMatchObject({ reason: 'min_notional' });
    expect((refused as VenueError).message).toContain('Filter failure: MIN_NOTIONAL');
  });
});
