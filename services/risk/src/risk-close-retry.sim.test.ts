import { NatsBus } from '@ballast/bus';
import type { Clock, PositionEvent } from '@ballast/contracts';
import { Subjects, subject } from '@ballast/contracts';
import { ClosedTradeRepository } from '@ballast/db';
import { natsUrl, waitFor } from '@ballast/testkit';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { btcBook, trendBtcOpened } from './testing/btc-fixtures';
import { recordBtcFill } from './testing/recorded-orders';
import { useRiskBed } from './testing/risk-bed';

// A BTC-USDT long of 0.02 bought at the recorded book's best ask and sold at its best bid
// (binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json), 0.1% taker fees; then a new 0.02 bought
// at the best ask. Position events carry realised pnl and fees cumulated over the position id
// (exchange:symbol), which the new position keeps.
const clock: Clock = { now: () => Date.now() };
const QTY = 0.02;
const [ASK, BID] = [btcBook.asks[0]![0], btcBook.bids[0]![0]];
const FEE_BUY = 0.001 * QTY * ASK;
const FEE_SELL = 0.001 * QTY * BID;
const REALISED = QTY * (BID - ASK);

const bed = useRiskBed('risk-close-retry');

/** Trend's BTC-USDT long as the orders service publishes it at `eventTime`. */
function publishPosition(
  status: PositionEvent['status'],
  qty: number,
  money: { realizedPnl: number; fees: number },
  eventTime: number,
) {
  const event = { ...trendBtcOpened({ qty, entry: ASK }), status, ...money };
  return bed.bus.publish(subject(Subjects.positionEvent, {}), event, { eventTime });
}

/** Postgres refuses every closed trade while this constraint stands (the recording fails, as in an outage). */
const refuseClosedTrades = (refuse: boolean) =>
  (refuse
    ? sql`alter table closed_trades add constraint refuse_all check (false) not valid`
    : sql`alter table closed_trades drop constraint refuse_all`
  ).execute(bed.handle.db);

/**
 * The close, delivered again, recorded once (its loss starts a streak); the new position held, and
 * equity counting both trades' money once: the closed trade's result and the new position's fee; the
 * new position is marked at the recorded book's best bid (equity marked to market).
 */
async function recordedOnce(
  risk: Awaited<ReturnType<typeof bed.startRisk>>,
  times: { entryTime: number | null; closeTime: number },
) {
  const state = () => risk.manager.current;
  await waitFor(() => state().lossStreak.losses === 1, 'the close recorded');
  expect(state().positions).toEqual([
    expect.objectContaining({ positionId: 'binance:BTC-USDT', qty: QTY, entry: ASK }),
  ]);
  expect(await new ClosedTradeRepository(bed.handle.db).all()).toEqual([
    expect.objectContaining({
      pnl: expect.closeTo(REALISED - FEE_BUY - FEE_SELL, 9),
      fees: expect.closeTo(FEE_BUY + FEE_SELL, 9),
      ...times,
    }),
  ]);
  // Waited for: after a restart the book risk is given again may be handled after the close.
  const equity = 10_000 + REALISED - (2 * FEE_BUY + FEE_SELL) + QTY * (BID - ASK);
  await waitFor(() => Math.abs(state().equity - equity) < 1e-9, `equity of ${equity}`);
}

describe('risk: a close whose trade failed to record', () => {
  it('is recorded when delivered again after a new position opened on the market, which stays held', async () => {
    const risk = await bed.startRisk(clock);
    const state = () => risk.manager.current;
    const openedAt = clock.now() - 60_000;
    await publishPosition('opened', QTY, { realizedPnl: 0, fees: FEE_BUY }, openedAt);
    await waitFor(() => state().positions.length === 1, 'the first position');

    await refuseClosedTrades(true);
    await publishPosition('closed', 0, { realizedPnl: REALISED, fees: FEE_BUY + FEE_SELL }, openedAt + 1_000);
    await waitFor(() => state().positions.length === 0, 'the close applied');
    const reopenedAt = openedAt + 2_000;
    const reopened = { realizedPnl: REALISED, fees: 2 * FEE_BUY + FEE_SELL };
    await publishPosition('opened', QTY, reopened, reopenedAt);
    await waitFor(() => state().positions.length === 1, 'the new position');
    await refuseClosedTrades(false);

    await recordedOnce(risk, { entryTime: openedAt, closeTime: openedAt + 1_000 });
    await risk[Symbol.asyncDispose]();
  });

  it('is only recorded when delivered again after a restart, the new position read from the fills staying held', async () => {
    // The fills as the orders service records them before it publishes each position.
    const fill = (id: string, side: 'buy' | 'sell', price: number, time: number) =>
      recordBtcFill(
        bed.handle.db,
        { clientOrderId: id, strategy: side === 'buy' ? 'trend' : null, side, qty: QTY, time },
        price,
      );
    // The trade the test before recorded would count in this one's position id.
    await bed.handle.db.deleteFrom('closed_trades').execute();
    // A redelivery on its way to the risk being stopped waits out the ack wait (30 s by default) before
    // it comes again: risk runs on a connection of its own with a short one.
    const quick = await NatsBus.connect({
      servers: await natsUrl(),
      prefix: bed.prefix,
      source: 'risk',
      clock,
      ackWaitMs: 1_000,
    });
    let risk = await bed.startRisk(clock, {}, { bus: quick });
    const state = () => risk.manager.current;
    const openedAt = clock.now() - 60_000;
    await fill('bl-retry-buy-1', 'buy', ASK, openedAt);
    await publishPosition('opened', QTY, { realizedPnl: 0, fees: FEE_BUY }, openedAt);
    await waitFor(() => state().positions.length === 1, 'the first position');

    await refuseClosedTrades(true);
    await fill('bl-retry-sell-1', 'sell', BID, openedAt + 1_000);
    await publishPosition('closed', 0, { realizedPnl: REALISED, fees: FEE_BUY + FEE_SELL }, openedAt + 1_000);
    await waitFor(() => state().positions.length === 0, 'the close applied');
    const reopenedAt = openedAt + 2_000;
    const reopened = { realizedPnl: REALISED, fees: 2 * FEE_BUY + FEE_SELL };
    await fill('bl-retry-buy-2', 'buy', ASK, reopenedAt);
    await publishPosition('opened', QTY, reopened, reopenedAt);
    await waitFor(() => state().positions.length === 1, 'the new position');
    // Restarted before the close is delivered again: what risk kept of it is gone.
    await risk[Symbol.asyncDispose]();
    await refuseClosedTrades(false);

    risk = await bed.startRisk(clock, {}, { bus: quick });
    // The position it closed is not known any more: its entry time neither.
    await recordedOnce(risk, { entryTime: null, closeTime: openedAt + 1_000 });
    await risk[Symbol.asyncDispose]();
    await quick.drain();
  });
});
