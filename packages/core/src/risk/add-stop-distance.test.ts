import { describe, expect, it } from 'vitest';
import { NOW, pendingEntry, STRATEGY, solCandidate } from './entry.fixture';
import { type EntryApproval, type EntryCandidate, evaluateEntry } from './evaluate-entry';
import { reservePending } from './pending-entries';
import { DEFAULT_RISK_LIMITS } from './risk-limits';
import { initialRiskState, type OpenPosition, type RiskState } from './risk-state';

// Equity 10,000, 1% risk per trade: an add may lose at most 100 where the position's stop fills.
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

/** What the add loses when the stop protecting the whole position fills. */
const lossAt = (add: EntryApproval, stop: number, side: 'long' | 'short' = 'long') =>
  add.qty * (side === 'long' ? add.entry - stop : stop - add.entry);

describe('an add is sized to the stop that protects the position it adds to', () => {
  it("sizes a long add with a tighter stop by the distance to the position's stop: no more than 1% lost there", () => {
    // The add's own stop is 5 away (20 to risk 100), the position's 30: 3.33 loses 99.9 at 70.
    const add = approve(heldSol(70), { entry: 100, stop: 95, takeProfits: [120] });
    expect(add).toMatchObject({ qty: 3.33, stop: 95, riskAmount: 3.33 * 30, cappedBy: null });
    expect(lossAt(add, 70)).toBeLessThanOrEqual(budget);
  });

  it("sizes a short add by the distance to the short position's stop above", () => {
    const add = approve(heldSol(130, 'short'), { side: 'short', entry: 100, stop: 105, takeProfits: [80] });
    expect(add).toMatchObject({ qty: 3.33, stop: 105 });
    expect(lossAt(add, 130, 'short')).toBeLessThanOrEqual(budget);
  });

  it("keeps the add's own distance when the position's stop is nearer", () => {
    expect(approve(heldSol(95))).toMatchObject({ qty: 10, stop: 90, riskAmount: 100 });
  });

  it('sizes an add to a position whose stop is not known as if it could lose its whole entry price', () => {
    const add = approve(heldSol(0), { entry: 100, stop: 95, takeProfits: [120] });
    expect(add).toMatchObject({ qty: 1, riskAmount: 100 });
  });

  it('sizes by the stop of an entry approved in the market and not filled yet: it opens the position', () => {
    const state = reservePending(initialRiskState(EQUITY, NOW), pendingEntry('in-a', { qty: 2, stop: 70 }));
    const add = approve(state, { entry: 100, stop: 95, takeProfits: [120] });
    expect(lossAt(add, 70)).toBeLessThanOrEqual(budget);
    expect(add.qty).toBe(3.33);
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
