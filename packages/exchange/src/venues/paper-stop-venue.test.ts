import { describe, expect, it } from 'vitest';
import { PaperStopVenue } from './paper-stop-venue';

// The backtest's fallback market rules (a 1e-8 lot and tick). 278.11016167 SOL is a position a SOLUSDT
// 4h backtest (binance-spot-ohlcv/SOLUSDT-4h.csv) held on 2021-01-26 20:00 after two adds: 27,811,016,167
// lots, whose float division by the lot is 27811016167.000004.
const rules = { tickSize: 1e-8, stepSize: 1e-8, minQty: 0, minNotional: 10 };
let n = 0;
const venue = () => new PaperStopVenue({ venue: 'paper', rules: () => rules, ids: () => `v-${++n}` });
const request = (qty: number, stopPrice: number) => ({
  clientOrderId: `c-${qty}-${stopPrice}`,
  symbol: 'SOL-USDT',
  side: 'sell' as const,
  qty,
  stopPrice,
  reduceOnly: true,
});

describe('PaperStopVenue precision', () => {
  it('takes a stop for a position of billions of lots on the lot grid', async () => {
    const stops = venue();
    await expect(stops.placeStop(request(278.11016167, 3.43104922))).resolves.toMatchObject({
      status: 'open',
      qty: 278.11016167,
    });
  });

  it('refuses a quantity or a stop price off the grid, naming which', async () => {
    const stops = venue();
    await expect(stops.placeStop(request(278.110161675, 3.43104922))).rejects.toThrow(
      'qty 278.110161675 does not fit step 1e-8',
    );
    await expect(stops.placeStop(request(278.11016167, 3.431049225))).rejects.toThrow(
      'stop 3.431049225 does not fit tick 1e-8',
    );
  });
});
