import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClosedTrade, LossStreakTracker, NO_LOSS_STREAK, recordClosedTrade } from './loss-streak';
import { DEFAULT_RISK_LIMITS } from './risk-limits';

const HOUR = 3_600_000;
const T0 = Date.UTC(2022, 0, 10, 12);
const pauses = DEFAULT_RISK_LIMITS.lossStreakPauses;
const loss = (i: number): ClosedTrade => ({ pnl: -10, fees: 0.2, closeTime: T0 + i * HOUR });

function afterLosses(n: number): LossStreakTracker {
  return Array.from({ length: n }, (_, i) => loss(i)).reduce(
    (t, trade) => t.record(trade),
    LossStreakTracker.empty(),
  );
}

describe('LossStreakTracker', () => {
  it('does not pause after a single loss', () => {
    expect(afterLosses(1).pausedUntil(pauses)).toBeNull();
  });

  it('pauses 2h after two consecutive losses, from the last loss close', () => {
    const tracker = afterLosses(2);
    const lastClose = T0 + HOUR;
    expect(tracker.state).toEqual({ losses: 2, lastLossTime: lastClose });
    expect(tracker.pausedUntil(pauses)).toBe(lastClose + 2 * HOUR);
    expect(tracker.isPaused(lastClose + 2 * HOUR - 1, pauses)).toBe(true);
    expect(tracker.isPaused(lastClose + 2 * HOUR, pauses)).toBe(false);
  });

  it('pauses 6h after three and 24h after four or more', () => {
    expect(afterLosses(3).pausedUntil(pauses)).toBe(T0 + 2 * HOUR + 6 * HOUR);
    expect(afterLosses(4).pausedUntil(pauses)).toBe(T0 + 3 * HOUR + 24 * HOUR);
    expect(afterLosses(7).pausedUntil(pauses)).toBe(T0 + 6 * HOUR + 24 * HOUR);
  });

  it('resets on a win and on a breakeven trade', () => {
    const win = afterLosses(3).record({ pnl: 25, fees: 0.2, closeTime: T0 + 5 * HOUR });
    const flat = afterLosses(3).record({ pnl: 0, fees: 0.2, closeTime: T0 + 5 * HOUR });
    expect(win.state).toEqual(NO_LOSS_STREAK);
    expect(flat.state).toEqual(NO_LOSS_STREAK);
    expect(flat.pausedUntil(pauses)).toBeNull();
  });

  it('takes a trade closed at its entry price, which paid only its fees, as a breakeven', () => {
    // Bought 0.01 at 30,000 and sold at 30,000, 0.1 % taker each way: 0.30 + 0.30 in fees.
    const atEntry = afterLosses(3).record({ pnl: -0.6, fees: 0.6, closeTime: T0 + 5 * HOUR });
    expect(atEntry.state).toEqual(NO_LOSS_STREAK);
    // Fees summed over fills in floating point: a residue of 1e-14 is still a breakeven.
    const summed = 0.1 + 0.2 + 0.3;
    expect(afterLosses(3).record({ pnl: -0.6, fees: summed, closeTime: T0 + 5 * HOUR }).state).toEqual(
      NO_LOSS_STREAK,
    );
    expect(afterLosses(3).record({ pnl: -summed, fees: 0.6, closeTime: T0 + 5 * HOUR }).state).toEqual(
      NO_LOSS_STREAK,
    );
    // One tick worse than the entry is a loss, however small.
    const tickWorse = afterLosses(1).record({ pnl: -0.6001, fees: 0.6, closeTime: T0 + 5 * HOUR });
    expect(tickWorse.state).toEqual({ losses: 2, lastLossTime: T0 + 5 * HOUR });
  });

  it('rebuilds the same state from history as feeding trades one by one', () => {
    const trade = fc.record({
      pnl: fc.oneof(fc.constant(0), fc.double({ min: -500, max: 500, noNaN: true })),
      fees: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 5, noNaN: true })),
      gapMs: fc.integer({ min: 0, max: 48 * HOUR }),
    });
    fc.assert(
      fc.property(fc.array(trade, { maxLength: 40 }), (raw) => {
        let time = T0;
        const trades = raw.map(({ pnl, fees, gapMs }) => {
          time += gapMs;
          return { pnl, fees, closeTime: time };
        });
        const incremental = trades.reduce((t, x) => t.record(x), LossStreakTracker.empty());
        const rebuilt = LossStreakTracker.fromHistory(trades);
        expect(rebuilt.state).toEqual(incremental.state);
        expect(rebuilt.pausedUntil(pauses)).toBe(incremental.pausedUntil(pauses));
        expect(trades.reduce(recordClosedTrade, NO_LOSS_STREAK)).toEqual(incremental.state);
      }),
      { numRuns: 500 },
    );
  });

  it('orders history by close time before folding', () => {
    const trades = [loss(2), { pnl: 5, fees: 0.2, closeTime: T0 }, loss(1)];
    expect(LossStreakTracker.fromHistory(trades).state).toEqual({ losses: 2, lastLossTime: T0 + 2 * HOUR });
  });
});
