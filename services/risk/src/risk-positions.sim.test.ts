import type { Clock, PositionEvent, RiskDecision, SignalDecision, StopEvent } from '@ballast/contracts';
import { Subjects, subject } from '@ballast/contracts';
import { totalOpenRisk } from '@ballast/core';
import { ClosedTradeRepository, ProtectiveStopRepository, StrategyHourStatsRepository } from '@ballast/db';
import { recordedDepthSnapshot, waitFor } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { btcBook, btcSignal, ethSignal, refusedBtcBuy } from './testing/btc-fixtures';
import { recordBtcFill } from './testing/recorded-orders';
import { useRiskBed } from './testing/risk-bed';

const clock: Clock = { now: () => Date.now() };
const BTC = 'binance:BTC-USDT';
// The first test's trade: 0.02 BTC bought at the recorded best ask a minute before the test, sold at
// 58,100; 0.1% fees. Position events carry realised pnl and fees cumulated over the position id.
const [QTY, PRICE, STOP] = [0.02, btcSignal('x').candidate.entry, 57_400];
const FEE = 0.001 * QTY * PRICE;
const AFTER_FIRST_TRADE = { realizedPnl: QTY * (58_100 - PRICE), fees: FEE + 0.001 * QTY * 58_100 };

const bed = useRiskBed('risk-held');

const start = async () => {
  const service = await bed.startRisk(clock);
  // Risk's book consumer resumes after what it saw: a started service is given the ETH book again too.
  await bed.bus.publish(
    subject(Subjects.book, { exchange: 'binance', symbol: 'ETH-USDT' }),
    recordedDepthSnapshot('ETHUSDT', clock.now()),
  );
  return service;
};

/** Sends an approved signal to risk and waits for its decision. */
async function decide(signal: SignalDecision): Promise<RiskDecision> {
  const id = signal.candidate.id;
  await bed.bus.publish(subject(Subjects.signalDecision, {}), signal);
  return bed.decisionOn(id);
}

function approvedQty(decision: RiskDecision): number {
  if (!decision.approved) throw new Error(`${decision.reason}: ${decision.detail}`);
  return decision.intent.qty;
}

/** The orders service refuses the approved entry's order: risk frees the room it held. */
async function refuse(risk: Awaited<ReturnType<typeof start>>, decision: RiskDecision): Promise<void> {
  if (!decision.approved) throw new Error(`${decision.candidateId} was not approved`);
  const { intentId, qty } = decision.intent;
  await bed.bus.publish(subject(Subjects.orderEvent, {}), refusedBtcBuy(intentId, `bl-${intentId}`, qty));
  await waitFor(() => risk.manager.current.pending.every((p) => p.intentId !== intentId), 'the refusal');
}

/** A BTC-USDT long's pos.event, cumulative per position id as the orders service publishes them. */
function publishBtcPosition(
  status: PositionEvent['status'],
  qty: number,
  avgEntry: number,
  money: { realizedPnl: number; fees: number },
  eventTime?: number,
) {
  return bed.bus.publish(
    subject(Subjects.positionEvent, {}),
    {
      status,
      positionId: BTC,
      strategy: 'test',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      side: 'long' as const,
      qty,
      avgEntry,
      ...money,
    },
    eventTime === undefined ? {} : { eventTime },
  );
}

function publishBtcStop(kind: StopEvent['kind'], stopPrice: number, qty: number) {
  return bed.bus.publish(subject(Subjects.stopEvent, {}), {
    kind,
    positionId: BTC,
    exchange: 'binance',
    symbol: 'BTC-USDT',
    stopPrice,
    qty,
    clientOrderId: `bl-stop-${stopPrice}`,
    detail: 'test',
  });
}

/** A filled 0.02 BTC market order as the orders service records it, before it publishes the position. */
function recordFill(clientOrderId: string, side: 'buy' | 'sell', price: number, time: number) {
  const strategy = side === 'buy' ? 'test' : null;
  return recordBtcFill(bed.handle.db, { clientOrderId, strategy, side, qty: QTY, time }, price);
}

/** The BTC position's stop record as the stops service persists it (its StopRecord). */
async function saveBtcStop(status: 'active' | 'closed', stopPrice: number) {
  const key = { positionId: BTC, exchange: 'binance', symbol: 'BTC-USDT' };
  await new ProtectiveStopRepository(bed.handle.db, clock, { parse: (x: unknown) => x }).save(key, status, {
    ...key,
    side: 'long',
    stopSide: 'sell',
    qty: QTY,
    entry: PRICE,
    stopPrice,
    clientOrderId: `bl-stop-${stopPrice}`,
    seq: 1,
    verified: true,
    intentId: 'in-bl-held-buy',
    ladder: { levels: [59_500], taken: 0 },
    closing: null,
  });
}

describe('risk: positions held across a restart', () => {
  it('starts from the recorded fills and stops: a second entry on the market is sized as before the restart, and the close is dated', async () => {
    const first = await start();
    // The buy as the orders service records and publishes it; its stop as the stops service persists
    // and announces it.
    const filledAt = clock.now() - 60_000;
    await recordFill('bl-held-buy', 'buy', PRICE, filledAt);
    await saveBtcStop('active', STOP);
    await publishBtcPosition('opened', QTY, PRICE, { realizedPnl: 0, fees: FEE }, filledAt);
    await publishBtcStop('placed', STOP, QTY);
    await waitFor(
      () => first.manager.current.positions.find((p) => p.positionId === BTC && p.stop === STOP),
      'the position and its stop',
    );
    // The per-market cap (15% of equity) leaves room for a smaller second entry.
    const held = await decide(btcSignal('held-before'));
    const before = approvedQty(held);
    expect(before).toBeLessThan(0.01);
    // Its order is refused (an approval still awaited would hold its room across the restart).
    await refuse(first, held);
    await first[Symbol.asyncDispose]();

    const second = await start();
    expect(approvedQty(await decide(btcSignal('held-after')))).toBe(before);
    expect(second.manager.current.positions).toEqual([
      {
        positionId: BTC,
        exchange: 'binance',
        symbol: 'BTC-USDT',
        side: 'long',
        qty: QTY,
        entry: expect.closeTo(PRICE, 9),
        stop: STOP,
        strategy: 'test',
      },
    ]);

    await recordFill('bl-held-sell', 'sell', 58_100, clock.now());
    await saveBtcStop('closed', STOP);
    await publishBtcPosition('closed', 0, PRICE, AFTER_FIRST_TRADE);
    const trades = new ClosedTradeRepository(bed.handle.db);
    const [trade] = await waitFor(async () => {
      const all = await trades.all();
      return all.length === 1 ? all : undefined;
    }, 'the close recorded');
    expect(trade?.entryTime).toBe(filledAt);
    // Dated, so the strategy's hour statistics counted it.
    expect(await new StrategyHourStatsRepository(bed.handle.db).all()).toEqual([
      expect.objectContaining({ strategy: 'test', hourUtc: new Date(filledAt).getUTCHours(), trades: 1 }),
    ]);
    await second[Symbol.asyncDispose]();
  });
});

describe('risk: an add to a position', () => {
  it("takes the position's average entry from its event, not averaged in again", async () => {
    const service = await start();
    // 0.01 BTC at the recorded best ask, then 0.01 at its third ask (58,004.92): the orders service
    // reports 0.02 at their average.
    const [ask1, ask3] = [btcBook.asks[0]![0], btcBook.asks[2]![0]];
    const avg = (ask1 + ask3) / 2;
    await publishBtcPosition('opened', 0.01, ask1, AFTER_FIRST_TRADE);
    await publishBtcPosition('changed', 0.02, avg, AFTER_FIRST_TRADE);
    const held = await waitFor(
      () => service.manager.current.positions.find((p) => p.positionId === BTC && p.qty === 0.02),
      'the add',
    );
    expect(held.entry).toBe(avg);
    await service[Symbol.asyncDispose]();
  });
});

describe('risk: open risk is measured to the stop', () => {
  it("opens a position with its approved entry's stop, follows the stop manager's moves, and so approves an entry on another market", async () => {
    const service = await start();
    const btc = await decide(btcSignal('stop-btc'));
    if (!btc.approved) throw new Error(`BTC denied: ${btc.reason}`);
    const { qty, entry, stop } = btc.intent;
    await publishBtcPosition('opened', qty, entry, AFTER_FIRST_TRADE);
    const held = await waitFor(
      () => service.manager.current.positions.find((p) => p.positionId === BTC),
      'the BTC position',
    );
    // Its stop costs far less than the open-risk limit (6% of equity): another market may be entered.
    expect(await decide(ethSignal('stop-eth'))).toMatchObject({ approved: true });
    expect(held.stop).toBe(stop);
    expect(totalOpenRisk(service.manager.current)).toBeCloseTo(qty * (entry - stop), 9);

    const openRisk = (value: number, what: string) =>
      waitFor(() => Math.abs(totalOpenRisk(service.manager.current) - value) < 1e-9, what);
    await publishBtcStop('moved', entry, qty);
    await openRisk(0, 'no open risk with the stop at break-even');
    await publishBtcStop('moved', 57_700, qty);
    await openRisk(qty * (entry - 57_700), 'the open risk of the stop moved to 57,700');
    await service[Symbol.asyncDispose]();
  });
});
