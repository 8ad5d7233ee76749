import { CcxtVenue } from '@ballast/exchange';
import { type SimDbFixture, startVenueFixture } from '@ballast/exchange-sim/testing';
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lossyBinance } from './testing/lossy-binance';

// The simulator fills against binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json, with the
// recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz) as market rules.
const ACCOUNT = { apiKey: 'landed-key', secret: 'landed-secret' };

let fixture: SimDbFixture;

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'ccxt_venue_landed',
    account: { ...ACCOUNT, balances: { USDT: '10000', BTC: '0' } },
    bus: false,
  });
});

afterAll(() => fixture?.close());

const buy = (clientOrderId: string) => ({
  clientOrderId,
  symbol: 'BTC-USDT',
  side: 'buy' as const,
  type: 'market' as const,
  qty: 0.001,
  price: null,
  reduceOnly: false,
});

describe('CcxtVenue: an order the venue took is never reported refused', () => {
  it.each([
    ['a venue error (not retryable)', () => new ccxt.ExchangeError('binance {"code":-1000,"msg":"unknown"}')],
    [
      'a timeout (retryable)',
      () => new ccxt.RequestTimeout('binance GET /api/v3/myTrades request timed out'),
    ],
  ])(
    'reports a filled market buy open with no fills yet when reading its trades fails with %s',
    async (_, error) => {
      const lossy = lossyBinance(fixture.sim, ACCOUNT);
      const venue = new CcxtVenue({ venue: 'binance', exchangeId: 'binance' }, lossy.exchange);
      const clientOrderId = `landed-${error().name}`;
      lossy.fail({ method: 'GET', path: '/api/v3/myTrades', kind: 'unsent', count: 1, error });

      const placed = await venue.submit(buy(clientOrderId));
      expect(placed).toMatchObject({
        clientOrderId,
        status: 'accepted',
        filledQty: 0,
        avgPrice: null,
        fills: [],
      });
      expect(placed.venueOrderId).not.toBe('');
      expect(lossy.failed('GET /api/v3/myTrades')).toBe(1);

      // The look-up reads what the create could not: filled, with its trade.
      const seen = await venue.fetchByClientId('BTC-USDT', clientOrderId);
      expect(seen).toMatchObject({ venueOrderId: placed.venueOrderId, status: 'filled', filledQty: 0.001 });
      expect(seen?.fills).toHaveLength(1);
    },
  );
});
