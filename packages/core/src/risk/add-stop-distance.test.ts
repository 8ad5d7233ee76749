import { describe, expect, it } from 'vitest';
import { NOW, pendingEntry, STRATEGY, solCandidate } from './entry.fixture';
import { type EntryApproval, type EntryCandidate, evaluateEntry } from './evaluate-entry';
import { reservePending } from './pending-entries';
import { DEFAULT_RISK_LIMITS } from './risk-limits';
import { initialRiskState, type OpenPosition, type RiskState } from './risk-state';

// Equity 10,000, 1% risk per trade: an add may lose at most 100 where the position's stop fills, at the
// stop-limit's worst fill (its limit, 50 bps beyond the stop on the tick) with the 0.1 % taker fee paid on
// the entry and the exit (the fixture's live costs).
const limits = { ...DEFAULT_RISK_LIMITS, allowShort: true };
const EQUITY = 10_000;
const budget = limits.riskPerTrade * EQUITY;

/** Trend's SOL position of 2 at 80 (notional 160, far below the 15% cap), protected at `stop`. */
const heldSol = (stop: number, side: OpenPosition['side'] = 'long'): RiskState => ({
  ...initialRiskState(EQUITY, NOW),
  positions: [
    {
      positionId: 'binance:SOL-USDT',
      exchange: 'binance',
      symbol: 'SOL-USDT',
      side,
      qty: 2,
      entry: 80,
      stop,
      strategy: STRATEGY,
    },
  ],
});

const approve = (state: RiskState, over: Partial<EntryCandidate> = {}): EntryApproval => {
  const verdict = evaluateEntry(state, solCandidate(over), limits, NOW);
  if (!verdict.ok) throw new Error(`denied: ${verdict.reason} ${verdict.detail}`);
  return verdict;
};

/** What the add loses, fees included, when the stop protecting the whole position fills at `fill`. */
const lossAt = (add: EntryApproval, fill: number, side: 'long' | 'short' = 'long') =>
  add.qty * (side === 'long' ? add.entry - fill : fill - add.entry) + 0.001 * add.qty * (add.entry + fill);

describe('an add is sized to the stop that protects the position it adds to', () => {
  it("sizes a long add with a tighter stop by the distance to the position's stop: no more than 1% lost there", () => {
    // The add's own stop is 5 away, the position's 30: stopped at 70 it may fill at 69.65, where a unit
    // loses 30.35 + 0.1 % of 100 and of 69.65 = 30.51965; 100 / 30.51965 = 3.276… is 3.27.
    const add = approve(heldSol(70), { entry: 100, stop: 95, takeProfits: [120] });
    expect(add).toMatchObject({ qty: 3.27, stop: 95, riskAmount: 3.27 * 30, cappedBy: null });
    expect(lossAt(add, 69.65)).toBeLessThanOrEqual(budget);
  });

  it("sizes a short add by the distance to the short position's stop above", () => {
    // Stopped at 130 it may buy at 130.65: 30.65 + 0.1 % of 100 and of 130.65 = 30.88065 a unit, 3.238….
    const add = approve(heldSol(130, 'short'), { side: 'short', entry: 100, stop: 105, takeProfits: [80] });
    expect(add).toMatchObject({ qty: 3.23, stop: 105 });
    expect(lossAt(add, 130.65, 'short')).toBeLessThanOrEqual(budget);
  });

  it("keeps the add's own distance when the position's stop is nearer", () => {
    // Sized as a first entry at its own stop 90 (10.63955 a unit at 89.55 with fees): 9.39.
    expect(approve(heldSol(95))).toMatchObject({ qty: 9.39, stop: 90, riskAmount: 93.9 });
  });

  it('sizes an add to a position whose stop is not known as if it could lose its whole entry price', () => {
    // All of 100 and the entry's fee 0.1: 100 / 100.1 = 0.999… is 0.99.
    const add = approve(heldSol(0), { entry: 100, stop: 95, takeProfits: [120] });
    expect(add).toMatchObject({ qty: 0.99, riskAmount: 99 });
  });

  it('sizes by the stop of an entry approved in the market and not filled yet: it opens the position', () => {
    const state = reservePending(initialRiskState(EQUITY, NOW), pendingEntry('in-a', { qty: 2, stop: 70 }));
    const add = approve(state, { entry: 100, stop: 95, takeProfits: [120] });
    expect(lossAt(add, 69.65)).toBeLessThanOrEqual(budget);
    expect(add.qty).toBe(3.27);
  });

  it("sizes a first entry by its own stop (another market's stop is not this one's)", () => {
    const held = heldSol(70);
    const elsewhere = { ...held, positions: held.positions.map((p) => ({ ...p, symbol: 'ETH-USDT' })) };
    expect(approve(elsewhere, { entry: 100, stop: 95, takeProfits: [120] })).toMatchObject({
      qty: 15,
      riskAmount: 75,
      cappedBy: 'max_position',
    });
  });
});
