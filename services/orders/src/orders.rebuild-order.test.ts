import { type OrderEvent, type PositionEvent, Subjects, subject } from '@ballast/contracts';
import { clientOrderId } from '@ballast/core';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledRecordedBook, showPaperBook, startPaperOrdersOnClock } from './testing/paper-orders';
import { recordOrderFlow } from './testing/recorded-venue';

// The paper book is the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json (best ask
// 58001.04), published as md.book at the prices a step of the test names (sizes as recorded); market
// rules from the simulator's recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz).
// The service clock is the test's: each fill happens at the time the test has moved it to.
const clock = { t: Date.now(), now: () => clock.t };
let fixture: VenueFixture;
const events: OrderEvent[] = [];
const positions: PositionEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_rebuild_order' });
  await recordOrderFlow(fixture, events, positions);
});

afterAll(async () => {
  await fixture?.close();
});

/** The paper orders service on the test clock; its loop runs when the test ticks it. Fees in USDT. */
const start = () =>
  startPaperOrdersOnClock(fixture, clock, {
    PAPER_INITIAL_BALANCES: '{"USDT":100000}',
    PAPER_FEES_IN: 'quote',
  });
type Orders = Awaited<ReturnType<typeof start>>;

/** Shows the recorded book moved to a best ask of `bestAsk` (every price by the same factor). */
const showBookAt = ({ service }: Orders, bestAsk: number) =>
  showPaperBook(fixture, service.venue, scaledRecordedBook(bestAsk / RECORDED_BEST_ASK, clock.now()));
const RECORDED_BEST_ASK = 58001.04;

/** Runs the send loop until the position event `intentId`'s fill brought, with `status`, is out. */
const positionBy = (orders: Orders, intentId: string, status: PositionEvent['status']) =>
  waitFor(async () => {
    await orders.service.manager.tick();
    return positions.findLast((p) => p.intentId === intentId && p.status === status);
  }, `${intentId}'s position ${status}`);
const priceOf = (id: string) =>
  events.find((e) => e.clientOrderId === id && e.fill)?.fill?.price ?? Number.NaN;

describe('positions rebuilt on a restart', () => {
  it('fold the fills in the order they happened: a TWAP entry stopped out between its slices keeps its figures', {
    timeout: 60_000,
  }, async () => {
    const e0 = clientOrderId('bl-', 'ro-entry', 0);
    const e1 = clientOrderId('bl-', 'ro-entry', 1);
    const live = await start();
    // E0 and E1 are both recorded now, E1 due later in the TWAP's minute.
    await showBookAt(live, 60000);
    await fixture.bus.publish(
      subject(Subjects.orderCommand, {}),
      marketCommand('ro-entry', 'buy', 0.2, { execution: { algo: 'twap', slices: 2, durationMs: 60_000 } }),
    );
    await positionBy(live, 'ro-entry', 'opened');
    // The position stopped out (X, recorded after E1) before E1 is due, in a market 5 % lower.
    clock.t += 10_000;
    await showBookAt(live, 57000);
    await fixture.bus.publish(
      subject(Subjects.orderCommand, {}),
      marketCommand('ro-exit', 'sell', 0.1, { reduceOnly: true }),
    );
    const exit = await positionBy(live, 'ro-exit', 'closed');
    expect(exit.qty).toBe(0);
    expect(exit.realizedPnl).toBeCloseTo((priceOf('bl-ro-exit') - priceOf(e0)) * 0.1, 6);
    // E1 then opens a new position, lower still.
    clock.t += 120_000;
    await showBookAt(live, 56000);
    const opened = await waitFor(async () => {
      await live.service.manager.tick();
      return positions.find((p) => p.intentId === 'ro-entry' && p.status === 'opened' && p.avgEntry < 57000);
    }, 'E1 filled');
    expect(opened).toMatchObject({ qty: 0.1, avgEntry: priceOf(e1), realizedPnl: exit.realizedPnl });
    await live.stop();

    // After the restart the position is the one live had: a buy of 0.01 adds to 0.1 at E1's price and
    // realises nothing, on the realised result of the trade X closed.
    const restarted = await start();
    try {
      clock.t += 10_000;
      await showBookAt(restarted, 56000);
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand('ro-probe', 'buy', 0.01));
      const probe = await positionBy(restarted, 'ro-probe', 'changed');
      const probePrice = priceOf('bl-ro-probe');
      expect(probe).toMatchObject({ side: 'long', qty: 0.11 });
      expect(probe.avgEntry).toBeCloseTo((0.1 * priceOf(e1) + 0.01 * probePrice) / 0.11, 6);
      expect(probe.realizedPnl).toBeCloseTo(opened.realizedPnl, 6);
      expect(probe.trade?.realizedPnl).toBeCloseTo(0, 6);
    } finally {
      await restarted.stop();
    }
  });
});
