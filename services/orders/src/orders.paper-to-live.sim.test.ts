import { type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { binanceClient, startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaperLeftoversError } from './paper-leftovers';
import { startPaperOrdersOnRecordedBook } from './testing/paper-orders';
import { startSimOrders } from './testing/sim-orders';

// ADR 22. The paper broker trades the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json
// (published as md.book); the live service trades the simulator's account (same recorded book and
// exchangeInfo) through ccxt, both under the account id `binance`, on one database.
const account = { apiKey: 'paper-live-key', secret: 'paper-live-secret' };
let fixture: VenueFixture;
const events: OrderEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders_paper_live',
    account: { ...account, balances: { USDT: '10000', BTC: '0' } },
  });
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: 'test-order-events',
  });
});

afterAll(() => fixture?.close());

const paper = () =>
  startPaperOrdersOnRecordedBook(fixture, {
    PAPER_INITIAL_BALANCES: '{"USDT":10000}',
    PAPER_FEES_IN: 'quote',
  });

async function submitted(intentId: string, side: 'buy' | 'sell', status: OrderEvent['status']) {
  await fixture.bus.publish(
    subject(Subjects.orderCommand, {}),
    marketCommand(intentId, side, 0.01, { reduceOnly: side === 'sell' }),
  );
  return waitFor(
    () => events.find((e) => e.intentId === intentId && e.status === status),
    `${intentId} ${status}`,
  );
}

async function venueActivity() {
  const ex = binanceClient(fixture.sim, account);
  return {
    trades: await ex.fetchMyTrades('BTC/USDT'),
    open: await ex.fetchOpenOrders('BTC/USDT'),
  };
}

describe('orders going live on the database paper trading used', () => {
  it('refuses a live start while a paper position is open, and starts flat once it is closed', {
    timeout: 60_000,
  }, async () => {
    const first = await paper();
    await submitted('paper-entry', 'buy', 'filled');
    await first.stop();

    const refused = await startSimOrders(fixture, account).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(PaperLeftoversError);
    expect(refused).toMatchObject({
      reason: 'paper_positions_open',
      venue: 'binance',
      positions: [{ symbol: 'BTC-USDT', side: 'long', qty: 0.01 }],
      orders: [],
    });
    expect((refused as Error).message).toContain('position BTC-USDT long 0.01');
    expect((refused as Error).message).toContain('pnpm ballast kill --flatten');

    // Closed on paper, as the refusal asks: the live start goes ahead, holding no position.
    const second = await paper();
    await submitted('paper-exit', 'sell', 'filled');
    await second.stop();
    const live = await startSimOrders(fixture, account);
    const refusal = await submitted('live-exit', 'sell', 'rejected');
    expect(refusal.detail).toContain('no position of ours to reduce');
    expect(await venueActivity()).toEqual({ trades: [], open: [] });
    await live();
  });

  it('refuses a live start while a paper order rests, on a database from before the venue kind was recorded', {
    timeout: 60_000,
  }, async () => {
    const resting = await paper();
    await fixture.bus.publish(
      subject(Subjects.orderCommand, {}),
      marketCommand('paper-rest', 'buy', 0.01, { type: 'limit', price: 40000 }),
    );
    await waitFor(
      () => events.find((e) => e.intentId === 'paper-rest' && e.status === 'accepted'),
      'the paper limit to rest',
    );
    await resting.stop();
    // Before ADR 22 nothing recorded the kind: the paper broker's own orders say which slices are its.
    await fixture.handle.db.deleteFrom('bot_state').where('key', '=', 'venue-kind:orders:binance').execute();

    const refused = await startSimOrders(fixture, account).catch((err: unknown) => err);
    expect(refused).toMatchObject({
      reason: 'paper_positions_open',
      positions: [],
      orders: [{ clientOrderId: 'bl-paper-rest', symbol: 'BTC-USDT', status: 'open' }],
    });
    expect(await venueActivity()).toEqual({ trades: [], open: [] });
  });
});
