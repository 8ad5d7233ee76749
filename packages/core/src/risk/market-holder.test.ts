import { describe, expect, it } from 'vitest';
import { decideEntry } from './decide-entry';
import { NOW, pendingEntry, STRATEGY, solCandidate } from './entry.fixture';
import { type EntryCandidate, evaluateEntry } from './evaluate-entry';
import { marketHolders } from './market-holder';
import { releasePending, reservePending } from './pending-entries';
import { DEFAULT_RISK_LIMITS } from './risk-limits';
import { applyEntryFill, applyExitFill, engageKillSwitch } from './risk-reducers';
import { initialRiskState, type RiskState } from './risk-state';

// Equity 10,000: 1% risk per trade, 15% per market (the defaults). Strategy trend holds SOL-USDT.
// A first SOL entry is 9.39 at the fixture's live costs (evaluate-entry.test.ts).
const limits = DEFAULT_RISK_LIMITS;
const TTL = 300_000;
const empty = initialRiskState(10_000, NOW);

/** Strategy `strategy`'s fill of `qty` SOL at 100 (stop 90), in the one position the venue nets per market. */
const solFill = (state: RiskState, qty: number, strategy: string | null = STRATEGY) =>
  applyEntryFill(state, {
    positionId: 'binance:SOL-USDT',
    exchange: 'binance',
    symbol: 'SOL-USDT',
    side: 'long',
    qty,
    price: 100,
    stop: 90,
    strategy,
  });

const from = (strategy: string, over: Partial<EntryCandidate> = {}) => solCandidate({ strategy, ...over });
const evaluate = (state: RiskState, c: EntryCandidate, l = limits) => evaluateEntry(state, c, l, NOW);

describe('an entry on a market another strategy holds (market_held)', () => {
  it("is denied while another strategy holds the market, naming it; the holder's own add is sized as before", () => {
    const held = solFill(empty, 10);
    expect(evaluate(held, from('breakout'))).toEqual({
      ok: false,
      reason: 'market_held',
      limit: 0,
      value: 1,
      detail:
        'binance:SOL-USDT is held: strategy trend holds 10 long; ' +
        'an entry of strategy breakout would add to its position',
    });
    // Trend's add: what the 15% cap leaves (1,500 − 1,000 of notional), as without the rule.
    expect(evaluate(held, from(STRATEGY))).toMatchObject({ ok: true, qty: 5, cappedBy: 'max_position' });
    // Another market is free.
    expect(evaluate(held, from('breakout', { symbol: 'BNB-USDT' }))).toMatchObject({ ok: true, qty: 9.39 });
  });

  it('is denied while another strategy has an entry there approved and not filled, until it is released', () => {
    const decided = decideEntry(empty, { intentId: 'in-trend', ttlMs: TTL }, from(STRATEGY), limits, NOW);
    expect(decided.state.pending).toEqual([
      expect.objectContaining({ intentId: 'in-trend', strategy: STRATEGY }),
    ]);
    const denied = decideEntry(
      decided.state,
      { intentId: 'in-b', ttlMs: TTL },
      from('breakout'),
      limits,
      NOW,
    );
    expect(denied.verdict).toMatchObject({
      ok: false,
      reason: 'market_held',
      detail: expect.stringContaining('strategy trend has 9.39 long approved, not filled yet'),
    });
    expect(denied.state.pending.map((p) => p.intentId)).toEqual(['in-trend']);
    const released = releasePending(decided.state, {
      intentId: 'in-trend',
      clientOrderId: 'bl-trend-0',
      unfilledQty: 9.39,
    });
    expect(evaluate(released, from('breakout'))).toMatchObject({ ok: true, qty: 9.39 });
    // A lapsed reservation holds nothing either.
    const lapsed = from('breakout', { signalTime: NOW + TTL });
    expect(evaluateEntry(decided.state, lapsed, limits, NOW + TTL)).toMatchObject({ ok: true });
  });

  it('is approved once the holder has closed its position', () => {
    const closed = applyExitFill(solFill(empty, 10), { positionId: 'binance:SOL-USDT', qty: 10 });
    expect(evaluate(closed, from('breakout'))).toMatchObject({ ok: true, qty: 9.39 });
  });

  it("keeps the market its opener's when another strategy's fill adds to it", () => {
    const both = solFill(solFill(empty, 5), 5, 'breakout');
    expect(marketHolders(both, { exchange: 'binance', symbol: 'SOL-USDT' })).toEqual([STRATEGY]);
    expect(evaluate(both, from('breakout'))).toMatchObject({ reason: 'market_held' });
  });

  it('holds a market on either side: a short there would net against the long', () => {
    const short = { side: 'short' as const, stop: 110, takeProfits: [80] };
    expect(
      evaluate(solFill(empty, 10), from('breakout', short), { ...limits, allowShort: true }),
    ).toMatchObject({
      reason: 'market_held',
    });
  });

  it('counts a position no strategy opened (a recorded venue fill) and every other holder', () => {
    const unowned = solFill(empty, 10, null);
    expect(evaluate(unowned, from(STRATEGY))).toMatchObject({
      reason: 'market_held',
      value: 1,
      detail: expect.stringContaining('a position no strategy opened (a recorded venue fill) holds 10 long'),
    });
    const two = reservePending(unowned, pendingEntry('in-b', { strategy: 'breakout', qty: 1 }));
    expect(evaluate(two, from('mean_revert'))).toMatchObject({ reason: 'market_held', limit: 0, value: 2 });
  });

  it('comes after the gates and the short rule, before anything about the candidate', () => {
    const held = solFill(empty, 10);
    const killed = engageKillSwitch(held, { reason: 'manual', at: NOW });
    expect(evaluate(killed, from('breakout'))).toMatchObject({ reason: 'kill_switch' });
    const short = { side: 'short' as const, stop: 110, takeProfits: [80] };
    expect(evaluate(held, from('breakout', short))).toMatchObject({ reason: 'short_not_allowed' });
    expect(evaluate(held, from('breakout', { stop: 101 }))).toMatchObject({ reason: 'market_held' });
  });
});
