import { CcxtVenue } from '@ballast/exchange';
import type { ExchangeSim } from '@ballast/exchange-sim';
import { startBinanceSim } from '@ballast/exchange-sim/testing';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRestBook } from './rest-book';
import { btcBook } from './testing/btc-fixtures';

// The Binance simulator serves the recorded BTCUSDT depth (see btc-fixtures) at GET /api/v3/depth.
let sim: ExchangeSim;
let venue: CcxtVenue;

beforeAll(async () => {
  sim = await startBinanceSim();
  venue = new CcxtVenue({ venue: 'binance', exchangeId: 'binance', baseUrl: sim.restUrl });
}, 60_000);

afterAll(async () => {
  await sim?.close();
});

/** The venue, telling whether its last depth request has ended (answered, failed or cancelled). */
function watched() {
  const state = { ended: false };
  return {
    state,
    orderBook: (...args: Parameters<CcxtVenue['orderBook']>) =>
      venue.orderBook(...args).finally(() => {
        state.ended = true;
      }),
  };
}

describe('the REST depth read', () => {
  it("reads the venue's depth within the timeout", async () => {
    const read = await readRestBook(venue, 'BTC-USDT', 5_000);
    expect(read.ok && read.book.asks[0]).toEqual(btcBook.asks[0]);
  });

  it('cancels the request of a venue that does not answer within the timeout', async () => {
    sim.controls.failHttp({ kind: 'timeout', count: Number.POSITIVE_INFINITY, pathPrefix: '/api/v3/depth' });
    try {
      const depth = watched();
      expect(await readRestBook(depth, 'BTC-USDT', 300)).toEqual({
        ok: false,
        reason: 'no answer within 300 ms',
      });
      // Over at the same bound, not left running until the client's own default timeout (ccxt: 10 s).
      await waitFor(() => depth.state.ended, 'the depth request ended', { timeoutMs: 2_000 });
    } finally {
      sim.controls.clearHttpFaults();
    }
  });
});
