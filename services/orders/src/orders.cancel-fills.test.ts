import { type Clock, type OrderEvent, type PositionEvent, Subjects, subject } from '@ballast/contracts';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersSettled } from './testing/orders-settled';
import { startPaperOrdersOnRecordedBook } from './testing/paper-orders';
import { recordOrderFlow } from './testing/recorded-venue';

// The paper broker's book is the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json
// (best bid 58001.03), published as md.book; the market rules come from the simulator's recorded
// exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz). The service's loop reads
// resting orders only when an order comes in or every 10 minutes (tick and idle read): once the pass
// that accepted an order is over, only a cancel's answer can tell it of a fill.
const clock: Clock = { now: () => Date.now() };
let fixture: VenueFixture;
const events: OrderEvent[] = [];
const positions: PositionEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_cancel_fills' });
  await recordOrderFlow(fixture, events, positions);
});

afterAll(async () => {
  await fixture?.close();
});

const start = () =>
  startPaperOrdersOnRecordedBook(fixture, {
    PAPER_INITIAL_BALANCES: '{"USDT":200000}',
    PAPER_TAKER_FEE: '0.001',
    PAPER_MAKER_FEE: '0.001',
    PAPER_FEES_IN: 'quote',
    TICK_MS: '600000',
    LOOP_IDLE_READ_MS: '600000',
  });

/** A limit buy resting at `price`, then a market print through it of `size`, filled on the paper venue. */
async function restThenPrint(
  { service }: Awaited<ReturnType<typeof start>>,
  intentId: string,
  price: number,
  size: number,
) {
  await fixture.bus.publish(
    subject(Subjects.orderCommand, {}),
    marketCommand(intentId, 'buy', 0.5, { type: 'limit', price }),
  );
  await waitFor(
    () => events.find((e) => e.intentId === intentId && e.status === 'accepted'),
    `${intentId} resting`,
  );
  await ordersSettled(fixture);
  await fixture.bus.publish(subject(Subjects.trade, { exchange: 'binance', symbol: 'BTC-USDT' }), {
    exchange: 'binance',
    symbol: 'BTC-USDT',
    tradeId: `print-${intentId}`,
    price: price - 10,
    size,
    side: 'sell',
    time: clock.now(),
  });
  await waitFor(
    async () => (await service.venue.fetchByClientId('BTC-USDT', `bl-${intentId}`))?.filledQty === size,
    `${intentId} part-filled on the venue`,
  );
}

/** The order events of `intentId` that carry a fill, once there is one. */
const fillsOf = (intentId: string) =>
  waitFor(() => {
    const seen = events.filter((e) => e.intentId === intentId && e.fill);
    return seen.length > 0 ? seen.map((e) => [e.status, e.fill?.qty, e.fill?.price]) : undefined;
  }, `${intentId}'s fills`);

describe('a cancel whose answer shows fills not booked yet', () => {
  it('books them (order and position events), from a cancel command and from cancel_all, and a restart finds the position', {
    timeout: 60_000,
  }, async () => {
    const first = await start();
    await restThenPrint(first, 'cf-one', 50000, 0.2);
    await fixture.bus.publish(subject(Subjects.orderCommand, {}), {
      kind: 'cancel',
      clientOrderId: 'bl-cf-one',
      exchange: 'binance',
      symbol: 'BTC-USDT',
    });
    const opened = await waitFor(() => positions.find((p) => p.status === 'opened'), 'the position opened');
    expect(await fillsOf('cf-one')).toEqual([['cancelled', 0.2, 50000]]);
    expect(opened).toMatchObject({ side: 'long', qty: 0.2, avgEntry: 50000, intentId: 'cf-one' });

    await restThenPrint(first, 'cf-all', 49000, 0.1);
    await fixture.bus.publish(subject(Subjects.orderCommand, {}), {
      kind: 'cancel_all',
      exchange: 'binance',
    });
    const changed = await waitFor(() => positions.find((p) => p.status === 'changed'), 'the position grown');
    expect(await fillsOf('cf-all')).toEqual([['cancelled', 0.1, 49000]]);
    expect(changed).toMatchObject({ side: 'long', qty: 0.3, intentId: 'cf-all' });
    expect(changed.avgEntry).toBeCloseTo((0.2 * 50000 + 0.1 * 49000) / 0.3, 6);
    await first.stop();

    // The rebuilt position holds the 0.3 bought: a reduce-only sell of 1 sells exactly that.
    const second = await start();
    try {
      await fixture.bus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('cf-close', 'sell', 1, { reduceOnly: true }),
      );
      const closed = await waitFor(
        () => events.find((e) => e.intentId === 'cf-close' && ['filled', 'rejected'].includes(e.status)),
        'the close',
      );
      expect([closed.status, closed.filledQty, closed.detail]).toEqual(['filled', 0.3, null]);
      await waitFor(
        () => positions.find((p) => p.status === 'closed' && p.intentId === 'cf-close'),
        'closed',
      );
    } finally {
      await second.stop();
    }
  });
});
