import type { Clock, PositionEvent, RiskDecision, SignalDecision } from '@ballast/contracts';
import { Subjects, subject } from '@ballast/contracts';
import { waitFor } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { btcSignal } from './testing/btc-fixtures';
import { recordBtcFill, recordBtcOrder } from './testing/recorded-orders';
import { useRiskBed } from './testing/risk-bed';

// The venue nets one position per market: strategy trend's BTC-USDT, held or approved and not filled,
// keeps strategy breakout out of BTC-USDT (its entry would add to trend's position) until trend's
// position closes; trend's own adds are sized as before.
const clock: Clock = { now: () => Date.now() };
const BTC = 'binance:BTC-USDT';
const ENTRY = btcSignal('x').candidate.entry;

const bed = useRiskBed('risk-market-held');

const start = () => bed.startRisk(clock);

/** A BTC long of `strategy`, sent to risk; its decision. */
async function decide(id: string, strategy: string): Promise<RiskDecision> {
  const s = btcSignal(id);
  const signal: SignalDecision = { ...s, candidate: { ...s.candidate, strategy } };
  await bed.bus.publish(subject(Subjects.signalDecision, {}), signal);
  return bed.decisionOn(id);
}

function approved(decision: RiskDecision) {
  if (!decision.approved) throw new Error(`${decision.candidateId}: ${decision.reason} ${decision.detail}`);
  return decision.intent;
}

/** The BTC position's event as the orders service publishes it, owned by `strategy`. */
const publishBtc = (status: PositionEvent['status'], qty: number, strategy: string) =>
  bed.bus.publish(subject(Subjects.positionEvent, {}), {
    status,
    positionId: BTC,
    strategy,
    exchange: 'binance',
    symbol: 'BTC-USDT',
    side: 'long' as const,
    qty,
    avgEntry: ENTRY,
    realizedPnl: 0,
    fees: 0,
  });

const heldBy = (decision: RiskDecision, what: string) =>
  expect(decision).toMatchObject({
    approved: false,
    reason: 'market_held',
    limit: 0,
    value: 1,
    detail: expect.stringContaining(`${BTC} is held: strategy trend ${what}`),
  });

describe('risk: a market held or reserved by one strategy is closed to the others (market_held)', () => {
  it("denies breakout while trend's entry awaits its fill and while trend holds BTC; approves it once trend's position closes", async () => {
    const service = await start();
    try {
      const trend = approved(await decide('held-trend', 'trend'));
      heldBy(await decide('held-pending', 'breakout'), `has ${trend.qty} long approved, not filled yet`);

      await publishBtc('opened', trend.qty, 'trend');
      await waitFor(() => service.manager.current.positions.length === 1, 'the BTC position');
      expect(service.manager.current.positions[0]).toMatchObject({ strategy: 'trend' });
      heldBy(await decide('held-filled', 'breakout'), `holds ${trend.qty} long`);
      // Trend's own add is decided as before: the first entry took the whole per-market cap.
      expect(await decide('held-add', 'trend')).toMatchObject({ approved: false, reason: 'max_position' });

      await publishBtc('closed', 0, 'trend');
      await waitFor(() => service.manager.current.positions.length === 0, 'the close');
      expect(await decide('held-closed', 'breakout')).toMatchObject({ approved: true });
    } finally {
      await service[Symbol.asyncDispose]();
    }
  });

  it("knows the holder after a restart: from trend's recorded order not filled yet, then from its recorded fill", async () => {
    const buy = { clientOrderId: 'bl-restart-buy', strategy: 'trend', side: 'buy' as const, qty: 0.02 };
    await recordBtcOrder(bed.handle.db, { ...buy, time: clock.now() });
    const pending = await start();
    try {
      heldBy(await decide('restart-pending', 'breakout'), 'has 0.02 long approved, not filled yet');
    } finally {
      await pending[Symbol.asyncDispose]();
    }

    // Filled while risk was down, then half sold by an exit (no strategy), which leaves the owner as it was.
    await recordBtcFill(bed.handle.db, { ...buy, time: clock.now() }, ENTRY);
    const exit = { clientOrderId: 'bl-restart-tp', strategy: null, side: 'sell' as const, qty: 0.01 };
    await recordBtcFill(bed.handle.db, { ...exit, time: clock.now() + 1 }, ENTRY);
    const held = await start();
    try {
      expect(held.manager.current.positions).toEqual([
        expect.objectContaining({ positionId: BTC, strategy: 'trend', qty: expect.closeTo(0.01, 12) }),
      ]);
      heldBy(await decide('restart-held', 'breakout'), 'holds 0.01 long');
      const close = { clientOrderId: 'bl-restart-stop', strategy: null, side: 'sell' as const, qty: 0.01 };
      await recordBtcFill(bed.handle.db, { ...close, time: clock.now() + 2 }, ENTRY);
      await publishBtc('closed', 0, 'trend');
      await waitFor(() => held.manager.current.positions.length === 0, 'the close');
      expect(await decide('restart-closed', 'breakout')).toMatchObject({ approved: true });
    } finally {
      await held[Symbol.asyncDispose]();
    }
  });

  it('finds a market its holder closed on dust free after a restart, as the orders service closed it', async () => {
    // 0.001 BTC bought with the fee in BTC holds 0.000999; the stop sold 0.00099 (the step) and the
    // 0.000009 left is below the simulator's BTCUSDT minimums: the orders service published the close.
    const time = clock.now() + 10;
    const buy = { clientOrderId: 'bl-dust-buy', strategy: 'trend', side: 'buy' as const, qty: 0.001 };
    await recordBtcFill(bed.handle.db, { ...buy, time }, ENTRY, 'BTC');
    const stop = { clientOrderId: 'bl-dust-stop', strategy: null, side: 'sell' as const, qty: 0.00099 };
    await recordBtcFill(bed.handle.db, { ...stop, time: time + 1 }, ENTRY);
    const service = await start();
    try {
      expect(service.manager.current.positions).toEqual([]);
      expect(await decide('dust-breakout', 'breakout')).toMatchObject({ approved: true });
    } finally {
      await service[Symbol.asyncDispose]();
    }
  });
});
