import { type Alert, type BookUpdate, type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { clientOrderId } from '@ballast/core';
import { OrderSliceRepository } from '@ballast/db';
import { VenueError } from '@ballast/exchange';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { approvedBuy, marketCommand, recordedDepthSnapshot, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledRecordedBook, showPaperBook, startPaperOrdersOnClock } from './testing/paper-orders';

// The paper book is the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json (best ask
// 58001.04), published as md.book and thinned or scaled where a test says; market rules come from the
// simulator's recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz: BTCUSDT
// step 0.00001, minimum notional 10 USDT). The service clock is the test's: an outage is a clock jump.
const clock = { t: Date.now(), now: () => clock.t };
let fixture: VenueFixture;
const events: OrderEvent[] = [];
const alerts: Alert[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_twap_pacing' });
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: 'test-order-events',
  });
  await fixture.bus.subscribe(subject(Subjects.alert, {}), (m) => void alerts.push(m.payload), {
    durable: 'test-alerts',
  });
});

afterAll(async () => {
  await fixture?.close();
});

/** The paper orders service on the test clock: a loop pass never sees a book the test has not shown. */
const start = () =>
  startPaperOrdersOnClock(fixture, clock, {
    PAPER_INITIAL_BALANCES: '{"USDT":100000}',
    MAX_SLIPPAGE_BPS: '20',
    TWAP_SLIPPAGE_WAITS: '3',
  });

type Orders = Awaited<ReturnType<typeof start>>;

/** Runs the send loop until `condition` holds. */
const looping = <T>(orders: Orders, condition: () => T | Promise<T>, what: string) =>
  waitFor(async () => {
    await orders.service.manager.tick();
    return condition();
  }, what);

const slices = () => new OrderSliceRepository(fixture.handle.db, clock);
const idOf = (intentId: string, slice: number) => clientOrderId('bl-', intentId, slice);
const twap = (intentId: string, qty: number, n: number) =>
  marketCommand(intentId, 'buy', qty, { execution: { algo: 'twap', slices: n, durationMs: 60_000 } });

/** Publishes `book` on md.book stamped now, and waits until the paper venue trades against it. */
const showBook = ({ service }: Orders, book: BookUpdate) =>
  showPaperBook(fixture, service.venue, { ...book, time: clock.now() });

const recorded = () => recordedDepthSnapshot('BTCUSDT', clock.now());
/** The recorded book with 0.001 BTC left at the best ask and nothing else below 58,300. */
const thinned = (): BookUpdate => {
  const book = recorded();
  const [best] = book.asks;
  return { ...book, asks: [[best?.[0] ?? 0, 0.001], ...book.asks.filter(([p]) => p >= 58_300)] };
};
/** The recorded book at `factor` of its prices (a market fall), sizes as recorded. */
const scaled = (factor: number): BookUpdate => scaledRecordedBook(factor, clock.now());

const filled = (orders: Orders, id: string) =>
  looping(orders, () => events.find((e) => e.clientOrderId === id && e.status === 'filled'), `${id} filled`);

/** Slice 0 of a 0.05 BTC, 5-slice, 60 s TWAP buy filled; then the service is down for 10 minutes. */
async function twapThenOutage(intentId: string, book: BookUpdate) {
  const first = await start();
  await showBook(first, recorded());
  await fixture.bus.publish(subject(Subjects.orderCommand, {}), twap(intentId, 0.05, 5));
  await filled(first, idOf(intentId, 0));
  await first.stop();
  clock.t += 600_000;
  const second = await start();
  await showBook(second, book);
  return second;
}

describe('TWAP slices in the send loop', () => {
  it('sends no slice of a TWAP back from a 10-minute outage into a thin book: they wait, then are cancelled for slippage', {
    timeout: 60_000,
  }, async () => {
    const back = await twapThenOutage('pace-thin', thinned());
    try {
      const repo = slices();
      // Each interval (15 s) the next slice is priced against the book again, and held back again.
      for (const wait of [1, 2, 3]) {
        await looping(
          back,
          async () => (await repo.get(idOf('pace-thin', 1)))?.detail?.startsWith(`slippage wait ${wait}:`),
          `slippage wait ${wait}`,
        );
        clock.t += 15_000;
      }
      const cancelled = await looping(
        back,
        () => {
          const seen = events.filter((e) => e.intentId === 'pace-thin' && e.status === 'cancelled');
          return seen.length === 4 ? seen : undefined;
        },
        'slices 1-4 cancelled',
      );
      expect(cancelled.map((e) => [e.clientOrderId, e.reason, e.qty, e.filledQty])).toEqual(
        [1, 2, 3, 4].map((i) => [idOf('pace-thin', i), 'slippage', 0.01, 0]),
      );
      expect(events.filter((e) => e.intentId === 'pace-thin' && e.fill).map((e) => e.fill?.price)).toEqual([
        58001.04,
      ]);
      const left = (await repo.all()).filter((s) => s.intentId === 'pace-thin' && s.slice > 0);
      expect(left.map((s) => s.status)).toEqual(['aborted', 'aborted', 'aborted', 'aborted']);
    } finally {
      await back.stop();
    }
  });

  it('sends a TWAP back from a 10-minute outage one slice now and the rest 15 s apart from now, not in a burst', {
    timeout: 60_000,
  }, async () => {
    const back = await twapThenOutage('pace-late', recorded());
    try {
      const resumedAt = clock.now();
      await filled(back, idOf('pace-late', 1));
      const rest = (await slices().all()).filter((s) => s.intentId === 'pace-late' && s.slice > 1);
      expect(rest.map((s) => [s.status, s.dueAt - resumedAt])).toEqual([
        ['planned', 15_000],
        ['planned', 30_000],
        ['planned', 45_000],
      ]);
      clock.t += 15_000;
      await filled(back, idOf('pace-late', 2));
      expect((await slices().get(idOf('pace-late', 3)))?.status).toBe('planned');
    } finally {
      await back.stop();
    }
  });

  it('plans slices 10% above the minimum notional, folds a refused slice into the next, and alerts on the unfilled rest', {
    timeout: 60_000,
  }, async () => {
    const paper = await start();
    try {
      await showBook(paper, recorded());
      // 0.0009 BTC at 58,001.04: 5 slices of 0.00018 (10.44 USDT) would be at the minimum; 4 are planned.
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), twap('fold', 0.0009, 5));
      await filled(paper, idOf('fold', 0));
      const planned = (await slices().all()).filter((s) => s.intentId === 'fold');
      expect(planned.map((s) => s.qty)).toEqual([0.00022, 0.00022, 0.00022, 0.00024]);

      // The market falls 30% (best ask 40,600.73): 0.00022 is 8.93 USDT, under the minimum.
      await showBook(paper, scaled(0.7));
      clock.t += 20_000;
      await looping(
        paper,
        async () => (await slices().get(idOf('fold', 1)))?.status === 'rejected',
        'slice 1 refused',
      );
      expect((await slices().get(idOf('fold', 2)))?.qty).toBe(0.00044);
      clock.t += 20_000;
      await filled(paper, idOf('fold', 2));
      // The last slice, 0.00024 (9.74 USDT), fails at the touch now too: the TWAP ends, and says so.
      clock.t += 20_000;
      const ended = await looping(
        paper,
        () => events.find((e) => e.clientOrderId === idOf('fold', 3) && e.status === 'rejected'),
        'the last slice refused',
      );
      expect(ended).toMatchObject({ reason: 'min_notional', qty: 0.00024, filledQty: 0 });
      expect(ended.detail).toMatch(/TWAP ended with 0.00024 unfilled$/);
      const alert = await waitFor(() => alerts.find((a) => a.labels.intentId === 'fold'), 'the alert');
      expect(alert).toMatchObject({ kind: 'twap_unfilled', labels: { unfilledQty: '0.00024' } });
      // Slice 1 was never given up: no event refused it, so risk keeps its room for slice 2.
      expect(events.filter((e) => e.clientOrderId === idOf('fold', 1))).toEqual([]);
    } finally {
      await paper.stop();
    }
  });

  it('sends a last slice the venue refused for its notional once more when it passes at the touch then', {
    timeout: 60_000,
  }, async () => {
    const paper = await start();
    try {
      await showBook(paper, recorded());
      // Binance judges a market order's notional on its 5-minute average price, which the book does not
      // show: the venue refuses the last slice once although the touch values it at 13.92 USDT.
      const last = idOf('retry', 3);
      const submit = paper.service.venue.submit.bind(paper.service.venue);
      let refusals = 0;
      paper.service.venue.submit = async (order) => {
        if (order.clientOrderId !== last || refusals++ > 0) return submit(order);
        throw new VenueError('min_notional', `${last}: Filter failure: NOTIONAL`);
      };
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), twap('retry', 0.0009, 5));
      for (const slice of [0, 1, 2]) {
        await filled(paper, idOf('retry', slice));
        clock.t += 20_000;
      }
      await filled(paper, last);
      expect(refusals).toBe(2);
      expect(events.filter((e) => e.clientOrderId === last).map((e) => [e.status, e.filledQty])).toEqual([
        ['filled', 0.00024],
      ]);
      expect(alerts.filter((a) => a.labels.intentId === 'retry')).toEqual([]);
    } finally {
      await paper.stop();
    }
  });

  it('stops an entry TWAP once the price moved beyond MAX_SLIPPAGE_BPS from the touch it was accepted at: the rest is cancelled price_moved', {
    timeout: 60_000,
  }, async () => {
    const paper = await start();
    try {
      await showBook(paper, recorded());
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), twap('drift', 0.03, 3));
      await filled(paper, idOf('drift', 0));
      // The market rises 1% (best ask 58,581.05): 100 bps above the accepted touch 58,001.04, though a
      // slice of 0.01 slips under 20 bps on the book then.
      await showBook(paper, scaled(1.01));
      clock.t += 30_000;
      const cancelled = await looping(
        paper,
        () => {
          const seen = events.filter((e) => e.intentId === 'drift' && e.status === 'cancelled');
          return seen.length === 2 ? seen : undefined;
        },
        'slices 1-2 cancelled',
      );
      expect(cancelled.map((e) => [e.clientOrderId, e.reason, e.filledQty])).toEqual(
        [1, 2].map((i) => [idOf('drift', i), 'price_moved', 0]),
      );
      expect(cancelled[0]?.detail).toMatch(
        /^price_moved: .* from the touch 58001.04 the entry was accepted at/,
      );
      expect(events.filter((e) => e.intentId === 'drift' && e.fill).map((e) => e.clientOrderId)).toEqual([
        idOf('drift', 0),
      ]);
    } finally {
      await paper.stop();
    }
  });

  it('sends no slice of an entry TWAP after the approval of it by risk expired: the rest is cancelled expired', {
    timeout: 60_000,
  }, async () => {
    // 0.012 BTC at the best ask: an approved 0.03 slips past the touch (MAX_SLIPPAGE_BPS 0) and goes as
    // a TWAP of three 0.01 slices 30 s apart, each within the touch.
    const paper = await startPaperOrdersOnClock(fixture, clock, {
      PAPER_INITIAL_BALANCES: '{"USDT":100000}',
      MAX_SLIPPAGE_BPS: '0',
      SLIPPAGE_ACTION: 'twap',
      TWAP_SLICES: '3',
      TWAP_DURATION_MS: '60000',
      TWAP_JITTER: '0',
    });
    const topOf = (): BookUpdate => {
      const book = recorded();
      const [best, ...rest] = book.asks;
      return { ...book, asks: [[best?.[0] ?? 0, 0.012], ...rest] };
    };
    try {
      await showBook(paper, topOf());
      const buy = approvedBuy('expiry');
      const decision = buy.approved
        ? { ...buy, intent: { ...buy.intent, qty: 0.03, expiresAt: clock.now() + 45_000 } }
        : buy;
      await fixture.bus.publish(subject(Subjects.riskDecision, {}), decision);
      await filled(paper, idOf('expiry', 0));
      clock.t += 30_000;
      await showBook(paper, topOf());
      await filled(paper, idOf('expiry', 1));
      clock.t += 30_000;
      await showBook(paper, topOf());
      const cancelled = await looping(
        paper,
        () => events.find((e) => e.clientOrderId === idOf('expiry', 2) && e.status === 'cancelled'),
        'slice 2 cancelled',
      );
      expect([cancelled.reason, cancelled.filledQty]).toEqual(['expired', 0]);
      expect(cancelled.detail).toMatch(/ms later: risk no longer reserves it$/);
    } finally {
      await paper.stop();
    }
  });
});
