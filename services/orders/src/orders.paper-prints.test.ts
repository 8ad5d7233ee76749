import { type Clock, type OrderEvent, Subjects, subject, type Trade } from '@ballast/contracts';
import { PaperAccountRepository } from '@ballast/db';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaperOrdersOnRecordedBook } from './testing/paper-orders';

// The paper book is the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json (best ask
// 58001.04), published as md.book; market rules from the simulator's recorded exchangeInfo
// (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz). Prints are the test's, on md.trade.
const clock: Clock = { now: () => Date.now() };
let fixture: VenueFixture;
const events: OrderEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_paper_prints' });
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: 'test-order-events',
  });
});

afterAll(async () => {
  await fixture?.close();
});

const start = () =>
  startPaperOrdersOnRecordedBook(fixture, {
    PAPER_INITIAL_BALANCES: '{"USDT":200000}',
    PAPER_FEES_IN: 'quote',
  });

const printed = (tradeId: string, size: number): Trade => ({
  exchange: 'binance',
  symbol: 'BTC-USDT',
  tradeId,
  price: 56990,
  size,
  side: 'sell',
  time: clock.now(),
});
const publishPrint = (trade: Trade) =>
  fixture.bus.publish(subject(Subjects.trade, { exchange: 'binance', symbol: 'BTC-USDT' }), trade);

const filledOnVenue = async (orders: Awaited<ReturnType<typeof start>>) =>
  (await orders.service.venue.fetchByClientId('BTC-USDT', 'bl-pp-rest'))?.filledQty;

describe('paper resting limits and md.trade prints delivered again', () => {
  it('a print delivered again, after a restart, fills the resting limit once', {
    timeout: 60_000,
  }, async () => {
    const first = await start();
    await fixture.bus.publish(
      subject(Subjects.orderCommand, {}),
      marketCommand('pp-rest', 'buy', 1, { type: 'limit', price: 57000 }),
    );
    await waitFor(() => events.find((e) => e.intentId === 'pp-rest' && e.status === 'accepted'), 'resting');
    const once = printed('pp-print-1', 0.4);
    await publishPrint(once);
    await waitFor(async () => (await filledOnVenue(first)) === 0.4, '0.4 filled');
    await first.stop();

    const second = await start();
    try {
      // The same print again, then a new one: once the new one has filled, the one before it was handled.
      await publishPrint(once);
      await publishPrint(printed('pp-print-2', 0.1));
      await waitFor(async () => ((await filledOnVenue(second)) ?? 0) >= 0.5, 'the new print filled');
      expect(await filledOnVenue(second)).toBe(0.5);
      const fills = await waitFor(() => {
        const seen = events.filter((e) => e.intentId === 'pp-rest' && e.fill).map((e) => e.fill?.qty);
        return seen.length >= 2 ? seen : undefined;
      }, 'the fills announced');
      expect(fills).toEqual([0.4, 0.1]);
      // 0.5 @ 57000 + 0.1 % maker fee in USDT: 28528.5 spent, once per print.
      const expected = { USDT: 171_471.5, BTC: 0.5 };
      expect(await second.service.venue.balances()).toEqual(expected);
      expect(await new PaperAccountRepository(fixture.handle.db, clock).loadBalances('binance')).toEqual(
        expected,
      );
    } finally {
      await second.stop();
    }
  });

  it('a print older than the order (the md.trade backlog after downtime) fills nothing, before and after a restart', {
    timeout: 60_000,
  }, async () => {
    const first = await start();
    const filled = async (orders: Awaited<ReturnType<typeof start>>) =>
      (await orders.service.venue.fetchByClientId('BTC-USDT', 'bl-pp-late'))?.filledQty;
    await fixture.bus.publish(
      subject(Subjects.orderCommand, {}),
      marketCommand('pp-late', 'buy', 0.2, { type: 'limit', price: 57100 }),
    );
    await waitFor(() => events.find((e) => e.intentId === 'pp-late' && e.status === 'accepted'), 'resting');
    const hourAgo = clock.now() - 3_600_000;
    await publishPrint({ ...printed('pp-old-1', 1), time: hourAgo });
    // A print of now after it: once it has filled 0.05, the old one before it was handled.
    await publishPrint({ ...printed('pp-now-1', 0.05), price: 57090 });
    await waitFor(async () => (await filled(first)) === 0.05, 'the new print filled');
    await first.stop();

    const second = await start();
    try {
      await publishPrint({ ...printed('pp-old-2', 1), time: hourAgo + 1 });
      await publishPrint({ ...printed('pp-now-2', 0.05), price: 57090 });
      await waitFor(async () => ((await filled(second)) ?? 0) >= 0.1, 'the second new print filled');
      expect(await filled(second)).toBe(0.1);
    } finally {
      await second.stop();
    }
  });
});
