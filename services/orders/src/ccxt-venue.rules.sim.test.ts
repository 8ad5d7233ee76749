import { CcxtVenue, createCcxtExchange } from '@ballast/exchange';
import { type SimDbFixture, startVenueFixture } from '@ballast/exchange-sim/testing';
import { RECORDED_BTCUSDT_RULES } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The simulator serves the recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz);
// ccxt loads it as it loads Binance's, and the paper broker takes its rules from here.
let fixture: SimDbFixture;

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'ccxt_venue_rules', bus: false });
});

afterAll(() => fixture?.close());

describe('CcxtVenue.marketRules', () => {
  it('reads the maximums and the percent band besides tick, step and minimums', async () => {
    const exchange = createCcxtExchange({ exchangeId: 'binance', baseUrl: fixture.sim.restUrl });
    const venue = new CcxtVenue({ venue: 'binance', exchangeId: 'binance' }, exchange);
    expect(await venue.marketRules('BTC-USDT')).toEqual(RECORDED_BTCUSDT_RULES);
  });
});
