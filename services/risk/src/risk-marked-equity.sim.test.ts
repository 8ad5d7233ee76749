import type { Alert, Clock, SignalDecision } from '@ballast/contracts';
import { Subjects, subject } from '@ballast/contracts';
import { recordedDepthSnapshot, waitFor } from '@ballast/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { btcBook, ethSignal, trendBtcOpened } from './testing/btc-fixtures';
import { useRiskBed } from './testing/risk-bed';
import { scaledBtcBooks } from './testing/scaled-btc-book';

// 10,000 of equity (RISK_EQUITY) and a long of 0.05 BTC bought at the recorded book's best ask
// (binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json), 2,900 of notional. The market then
// gaps 30% down through its stop, which did not fill: the book is quoted at 70% of the recorded one.
// Nothing is sold, yet 870 is lost: more than the daily-loss limit (5% of 10,000: 500).
const clock: Clock = { now: () => Date.now() };
const QTY = 0.05;
const ENTRY = btcBook.asks[0]![0];
const BID = btcBook.bids[0]![0];
const STOP = 57_400;
const GAP_BID = Number((BID * 0.7).toFixed(2));
const OPEN_LOSS = QTY * (ENTRY - GAP_BID);

const bed = useRiskBed('risk-marked');
const alerts: Alert[] = [];
beforeAll(async () => {
  await bed.bus.subscribe(subject(Subjects.alert, {}), (m) => void alerts.push(m.payload), {
    durable: 'test-marked-alerts',
  });
});

/** The recorded BTC-USDT book at `scale` of its prices, as a snapshot market-data publishes. */
const publishBtcBook = scaledBtcBooks(bed, clock);

async function decide(signal: SignalDecision) {
  await bed.bus.publish(subject(Subjects.signalDecision, {}), signal);
  return bed.decisionOn(signal.candidate.id);
}

describe('risk: equity marked to market', () => {
  it('halts entries on a loss held open (a long quoted 30% under its entry), announces it, and a recovery lifts nothing', async () => {
    const risk = await bed.startRisk(clock);
    await bed.bus.publish(
      subject(Subjects.book, { exchange: 'binance', symbol: 'ETH-USDT' }),
      recordedDepthSnapshot('ETHUSDT', clock.now()),
    );
    await bed.bus.publish(subject(Subjects.positionEvent, {}), trendBtcOpened({ qty: QTY, entry: ENTRY }));
    // Its stop at 57,400, placed: it risks 30, so an entry on ETH fits in the open-risk limit.
    await bed.bus.publish(subject(Subjects.stopEvent, {}), {
      kind: 'placed',
      positionId: 'binance:BTC-USDT',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      stopPrice: STOP,
      qty: QTY,
      clientOrderId: 'bl-stop-marked',
      detail: 'test',
    });
    await waitFor(() => risk.manager.current.positions[0]?.stop === STOP, 'the long held with its stop');
    expect(await decide(ethSignal('marked-before'))).toMatchObject({ approved: true });

    await publishBtcBook(0.7);
    const halt = await waitFor(
      () => alerts.find((a) => a.kind === 'risk_halt' && a.labels.halt === 'daily_loss'),
      'the daily-loss halt announced',
    );
    expect(halt.severity).toBe('critical');
    const { equity, dailyLossHalt, drawdownHalt } = risk.manager.current;
    expect(equity).toBeCloseTo(10_000 - OPEN_LOSS, 6);
    expect(dailyLossHalt).toEqual({
      limit: 500,
      value: expect.closeTo(OPEN_LOSS, 6),
      at: expect.any(Number),
    });
    // 870 is within the 15% drawdown limit.
    expect(drawdownHalt).toBeNull();
    // The lifecycle review's live drawdown counts the same open loss, its strategy's alone.
    expect(risk.manager.openPnl('trend')).toBeCloseTo(-OPEN_LOSS, 6);
    expect(risk.manager.openPnl('breakout')).toBe(0);
    expect(await decide(ethSignal('marked-gap'))).toMatchObject({ approved: false, reason: 'daily_loss' });

    await publishBtcBook(1);
    await waitFor(
      () => risk.manager.current.equity > 10_000 - 1,
      'the long marked at the recorded bid again',
    );
    expect(risk.manager.current.equity).toBeCloseTo(10_000 - QTY * (ENTRY - BID), 6);
    expect(risk.manager.current.dailyLossHalt).toEqual(dailyLossHalt);
    expect(await decide(ethSignal('marked-recovered'))).toMatchObject({
      approved: false,
      reason: 'daily_loss',
    });
    expect(alerts.filter((a) => a.labels.halt === 'daily_loss')).toHaveLength(1);
    await risk[Symbol.asyncDispose]();
  });
});
