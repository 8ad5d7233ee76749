import { type BookUpdate, type Clock, type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, recordedDepthSnapshot, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaperOrders } from './testing/paper-orders';

// The paper book is the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json (best ask
// 58001.04); market rules come from the simulator's recorded exchangeInfo
// (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz).
const clock: Clock = { now: () => Date.now() };
let fixture: VenueFixture;
const events: OrderEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_paper_book' });
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: 'test-order-events',
  });
});

afterAll(async () => {
  await fixture?.close();
});

const start = () =>
  startPaperOrders(fixture, { PAPER_INITIAL_BALANCES: '{"USDT":10000}', RETRY_ATTEMPTS: '1' });

const publishBook = (update: BookUpdate) =>
  fixture.bus.publish(subject(Subjects.book, { exchange: 'binance', symbol: update.symbol }), update);

/** A limit buy through the best ask: it fills at once against any book holding that ask. */
const limitBuy = (intentId: string) => marketCommand(intentId, 'buy', 0.01, { type: 'limit', price: 58100 });

describe('orders service in paper mode after a restart', () => {
  it('fills against the venue REST depth, not a book rebuilt from deltas alone', {
    timeout: 60_000,
  }, async () => {
    const snapshot = recordedDepthSnapshot('BTCUSDT', clock.now());
    const first = await start();
    await publishBook(snapshot);
    await waitFor(() => first.service.venue.orderBook('BTC-USDT'), 'the paper book');
    await first.stop();

    // While orders is down, market-data streams on: a delta in sequence, and no snapshot (it sends
    // one only when it resyncs). The restarted durable resumes on the delta, whose one ask (58050)
    // is all a book rebuilt from it would hold.
    await publishBook({
      ...snapshot,
      kind: 'delta',
      firstUpdateId: snapshot.lastUpdateId + 1,
      lastUpdateId: snapshot.lastUpdateId + 2,
      bids: [],
      asks: [[58050, 3]],
    });
    // Published after the delta on the same durable: once its book is there, the delta was applied.
    await publishBook({ ...snapshot, symbol: 'ETH-USDT' });
    const second = await start();
    await waitFor(() => second.service.venue.orderBook('ETH-USDT'), 'the marker book');

    // The simulator's REST depth is the same recording: its best ask 58001.04, not the delta's 58050.
    await fixture.bus.publish(subject(Subjects.orderCommand, {}), limitBuy('after-restart'));
    const filled = await waitFor(
      () => events.find((e) => e.clientOrderId === 'bl-after-restart' && e.status === 'filled'),
      'the order filled',
    );
    expect(filled).toMatchObject({ filledQty: 0.01, avgPrice: 58001.04 });
    await second.stop();
  });

  it('leaves a streamed book that stopped updating for the venue REST depth', {
    timeout: 60_000,
  }, async () => {
    const paper = await startPaperOrders(fixture, {
      PAPER_INITIAL_BALANCES: '{"USDT":10000}',
      RETRY_ATTEMPTS: '1',
      // Long enough that a loaded machine still sees the streamed book before it goes stale.
      ORDERS_BOOK_MAX_AGE_MS: '3000',
    });
    try {
      // A snapshot whose one ask (58050) is not the recording's: then market-data goes quiet.
      await publishBook({ ...recordedDepthSnapshot('BTCUSDT', clock.now()), asks: [[58050, 3]] });
      await waitFor(
        async () => (await paper.service.venue.orderBook('BTC-USDT')).asks[0]?.[0] === 58050,
        'the streamed book in use',
      );
      await waitFor(
        async () => (await paper.service.venue.orderBook('BTC-USDT')).asks[0]?.[0] === 58001.04,
        'the REST depth once the streamed book is older than 3 s',
      );
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), limitBuy('stale-book'));
      const filled = await waitFor(
        () => events.find((e) => e.clientOrderId === 'bl-stale-book' && e.status === 'filled'),
        'the order filled',
      );
      expect(filled).toMatchObject({ filledQty: 0.01, avgPrice: 58001.04 });
    } finally {
      await paper.stop();
    }
  });
});
