import { describe, expect, it } from 'vitest';
import { decideEntry } from './decide-entry';
import { MAX_DECIDED_INTENTS, rememberDecided } from './decided-intents';
import { NOW, pendingEntry, solCandidate } from './entry.fixture';
import { type EntryCandidate, evaluateEntry } from './evaluate-entry';
import { releasePending, reservePending } from './pending-entries';
import { pendingAtStart } from './recorded-entry-orders';
import { DEFAULT_RISK_LIMITS as limits } from './risk-limits';
import {
  applyEntryFill,
  applyEquityMark,
  engageKillSwitch,
  releaseKillSwitch,
  setMarketStale,
} from './risk-reducers';
import { initialRiskState, type PendingEntry, type RiskState } from './risk-state';

// Equity 10,000: 1% risk per trade, 15% per market, 6% open risk (the defaults).
const TTL = 300_000;
const candidate = solCandidate;

const empty = initialRiskState(10_000, NOW);

/** Decides candidates one after another, as risk does when they arrive before any order fills. */
function decideAll(state: RiskState, ...candidates: EntryCandidate[]) {
  const verdicts = [];
  for (const [i, c] of candidates.entries()) {
    const decided = decideEntry(state, { intentId: `in-${i}`, ttlMs: TTL }, c, limits, NOW);
    state = decided.state;
    verdicts.push(decided.verdict);
  }
  return { state, verdicts };
}

const pendingOn = (symbol: string, over: Partial<PendingEntry> = {}) =>
  pendingEntry(`in-${symbol}`, { symbol, ...over });

describe('entries approved before any fill share the limits', () => {
  it('sizes the second entry on a market to what the first left of the 15% cap, and denies the third naming it', () => {
    // The first is sized at the live costs, 9.39 (evaluate-entry.test.ts); the second gets the 5.61 left.
    const { state, verdicts } = decideAll(empty, candidate(), candidate(), candidate());
    expect(verdicts[0]).toMatchObject({ ok: true, qty: 9.39, notional: 939, cappedBy: null });
    expect(verdicts[1]).toMatchObject({ ok: true, qty: 5.61, notional: 561, cappedBy: 'max_position' });
    expect(verdicts[2]).toMatchObject({ ok: false, reason: 'max_position', limit: 1_500, value: 1_510 });
    expect(verdicts[2]).toMatchObject({
      detail: expect.stringContaining('holds 1500 (1500 of it approved, not filled yet) of at most 1500'),
    });
    expect(state.pending.map((p) => [p.intentId, p.qty, p.stop, p.expiresAt])).toEqual([
      ['in-0', 9.39, 90, NOW + TTL],
      ['in-1', 5.61, 90, NOW + TTL],
    ]);
  });

  it('counts pending notional in the total exposure', () => {
    let state = empty;
    for (const s of ['A', 'B', 'C', 'D']) state = reservePending(state, pendingOn(`${s}-USDT`, { qty: 12 }));
    expect(evaluateEntry(state, candidate(), limits, NOW)).toMatchObject({
      ok: false,
      reason: 'max_exposure',
      // 4,800 reserved and this entry's 939 (9.39 at 100).
      limit: 5_000,
      value: 5_739,
      detail: 'exposure would be 5739 (4800 of it approved, not filled yet), above 5000',
    });
  });

  it('counts pending risk to its approved stop in the open-risk budget', () => {
    // 10 × (100 − 45) = 550 reserved and this entry's 9.39 × 10 = 93.9.
    const state = reservePending(empty, pendingOn('BNB-USDT', { stop: 45 }));
    const denied = evaluateEntry(state, candidate(), limits, NOW);
    expect(denied).toMatchObject({ ok: false, reason: 'max_open_risk', limit: 600 });
    expect(!denied.ok && denied.value).toBeCloseTo(643.9, 9);
  });

  it('bounds the risk of a pending entry with no recorded stop by the risk per trade', () => {
    // 1,000 of notional with its stop unknown: an approval never risked more than 1% of equity, 100;
    // with this entry's 9.39 × 10 = 93.9, 193.9.
    const state = reservePending(empty, pendingOn('BNB-USDT', { stop: 0 }));
    const tight = { ...limits, maxOpenRisk: 0.019 };
    const denied = evaluateEntry(state, candidate(), tight, NOW);
    expect(denied).toMatchObject({ ok: false, reason: 'max_open_risk' });
    expect(!denied.ok && denied.value).toBeCloseTo(193.9, 9);
    expect(evaluateEntry(state, candidate(), { ...tight, maxOpenRisk: 0.02 }, NOW)).toMatchObject({
      ok: true,
    });
  });

  it('counts a market awaiting its fill as an open position, and lets it be added to', () => {
    const one = { ...limits, maxOpenPositions: 1 };
    const state = reservePending(empty, pendingOn('SOL-USDT', { qty: 1 }));
    expect(evaluateEntry(state, candidate({ symbol: 'BNB-USDT' }), one, NOW)).toMatchObject({
      ok: false,
      reason: 'max_open_positions',
      limit: 1,
      value: 2,
    });
    expect(evaluateEntry(state, candidate(), one, NOW)).toMatchObject({ ok: true });
  });

  it('stops counting a reservation once it has lapsed', () => {
    const state = reservePending(empty, pendingOn('SOL-USDT', { qty: 15 }));
    // Signals decided then, so only the reservation is older.
    const at = (now: number) => evaluateEntry(state, candidate({ signalTime: now }), limits, now);
    expect(at(NOW + TTL - 1)).toMatchObject({ reason: 'max_position' });
    expect(at(NOW + TTL)).toMatchObject({ ok: true, qty: 9.39 });
  });

  it('decides a redelivered candidate as before, without counting or reserving it twice', () => {
    const first = decideEntry(empty, { intentId: 'in-a', ttlMs: TTL }, candidate(), limits, NOW);
    const again = decideEntry(first.state, { intentId: 'in-a', ttlMs: TTL }, candidate(), limits, NOW + 5);
    expect(again.verdict).toEqual(first.verdict);
    expect(again.state.pending).toEqual(first.state.pending);
  });

  it('reserves nothing for a candidate redelivered after its entry filled, and approves it as before', () => {
    const intent = { intentId: 'in-a', ttlMs: TTL };
    const first = decideEntry(empty, intent, candidate(), limits, NOW);
    if (!first.verdict.ok) throw new Error('denied');
    const filled = applyEntryFill(first.state, {
      positionId: 'binance:SOL-USDT',
      exchange: 'binance',
      symbol: 'SOL-USDT',
      side: 'long',
      qty: first.verdict.qty,
      price: first.verdict.entry,
      stop: first.verdict.stop,
      strategy: 'trend',
    });
    expect(filled.pending).toEqual([]);
    const again = decideEntry(filled, intent, candidate(), limits, NOW + 5);
    expect(again.verdict).toEqual(first.verdict);
    expect(again.state.pending).toEqual([]);
    expect(again.state.positions).toEqual(filled.positions);
  });

  it('forgets a decided intent when its reservation would have lapsed, and keeps a bounded number', () => {
    const intent = { intentId: 'in-a', ttlMs: TTL };
    const first = decideEntry(empty, intent, candidate(), limits, NOW);
    const later = decideEntry(first.state, intent, candidate({ signalTime: NOW + TTL }), limits, NOW + TTL);
    expect(later.state.pending.map((p) => p.expiresAt)).toEqual([NOW + 2 * TTL]);
    const [decided] = first.state.decided;
    if (!decided) throw new Error('not remembered');
    const remembered = (i: number) => ({ ...decided, intentId: `in-${i}` });
    const full = { ...empty, decided: Array.from({ length: MAX_DECIDED_INTENTS }, (_, i) => remembered(i)) };
    const state = rememberDecided(full, remembered(MAX_DECIDED_INTENTS), NOW);
    expect(state.decided.length).toBe(MAX_DECIDED_INTENTS);
    expect(state.decided[0]?.intentId).toBe('in-1');
  });

  it('remembers whose entry it decided, where, its verdict and expiry', () => {
    const first = decideEntry(empty, { intentId: 'in-a', ttlMs: TTL }, candidate(), limits, NOW);
    expect(first.state.decided).toEqual([
      {
        intentId: 'in-a',
        candidate: { strategy: 'trend', exchange: 'binance', symbol: 'SOL-USDT', side: 'long' },
        verdict: first.verdict,
        expiresAt: NOW + TTL,
        signalTime: NOW,
        released: false,
      },
    ]);
  });

  it('remembers an approval released once its refusals used its reservation up, not before', () => {
    const { state } = decideAll(empty, candidate());
    const half = releasePending(state, { intentId: 'in-0', clientOrderId: 'bl-0', unfilledQty: 5 });
    expect(half.decided.map((d) => d.released)).toEqual([false]);
    const rest = releasePending(half, { intentId: 'in-0', clientOrderId: 'bl-1', unfilledQty: 5 });
    expect(rest.pending).toEqual([]);
    expect(rest.decided.map((d) => d.released)).toEqual([true]);
  });

  it('reserves nothing for a denial', () => {
    const killed = { ...empty, kill: { engaged: true, reason: 'test', since: NOW } };
    const decided = decideEntry(killed, { intentId: 'in-a', ttlMs: TTL }, candidate(), limits, NOW);
    expect(decided.verdict).toMatchObject({ ok: false, reason: 'kill_switch' });
    expect(decided.state.pending).toEqual([]);
  });
});

describe('a redelivered candidate whose approval may never have reached the orders service', () => {
  const intent = { intentId: 'in-a', ttlMs: TTL };
  const approved = () => {
    const first = decideEntry(empty, intent, candidate(), limits, NOW);
    if (!first.verdict.ok) throw new Error('denied');
    return first;
  };

  it('is approved again with the expiry of its first decision, not one counted from the redelivery', () => {
    const first = approved();
    expect(first.expiresAt).toBe(NOW + TTL);
    const again = decideEntry(first.state, intent, candidate(), limits, NOW + 30_000);
    expect(again).toMatchObject({ verdict: first.verdict, expiresAt: NOW + TTL, withdrawn: false });
    expect(again.state.pending).toEqual(first.state.pending);
  });

  it('is denied after the kill switch, a drawdown halt and stale data, 4 minutes later; its reservation is kept', () => {
    const first = approved();
    let s = engageKillSwitch(first.state, { reason: 'operator', at: NOW + 1 });
    s = applyEquityMark(s, { equity: 8_000, time: NOW + 2 }, limits); // 20% drawdown: halt latched
    s = setMarketStale(s, 'binance:SOL-USDT', true);
    const again = decideEntry(s, intent, candidate(), limits, NOW + 240_000);
    expect(again.verdict).toMatchObject({ ok: false, reason: 'kill_switch' });
    expect(again).toMatchObject({ expiresAt: NOW + TTL, withdrawn: true });
    // The approval may have gone out and be filling: its room is held until it lapses.
    expect(again.state.pending).toEqual(first.state.pending);
    expect(again.state.decided.map((d) => [d.intentId, d.verdict.ok, d.released])).toEqual([
      ['in-a', false, true],
    ]);
  });

  it('is denied by the first gate closed since: a drawdown halt without a kill', () => {
    const first = approved();
    const halted = applyEquityMark(first.state, { equity: 8_000, time: NOW + 2 }, limits);
    const again = decideEntry(halted, intent, candidate(), limits, NOW + 10_000);
    expect(again.verdict).toMatchObject({ ok: false, reason: 'max_drawdown' });
  });

  it('is denied stale_signal once the signal, aged from its first delivery, is older than maxSignalAgeMs', () => {
    const first = approved();
    const at = NOW + limits.maxSignalAgeMs + 1;
    // A copy published again later carries a later time; the age counts from the first.
    const again = decideEntry(first.state, intent, candidate({ signalTime: at }), limits, at);
    expect(again.verdict).toMatchObject({
      ok: false,
      reason: 'stale_signal',
      limit: limits.maxSignalAgeMs,
      value: limits.maxSignalAgeMs + 1,
    });
    expect(again.state.pending).toEqual(first.state.pending);
  });

  it('stays denied once withdrawn, even after the gate reopens; its room is held until its order is refused', () => {
    const first = approved();
    const killed = engageKillSwitch(first.state, { reason: 'operator', at: NOW + 1 });
    const withdrawn = decideEntry(killed, intent, candidate(), limits, NOW + 10_000);
    // Another entry on the market is sized beside the withdrawn one's room.
    const other = decideEntry(
      releaseKillSwitch(withdrawn.state),
      { intentId: 'in-b', ttlMs: TTL },
      candidate({ signalTime: NOW + 20_000 }),
      limits,
      NOW + 20_000,
    );
    if (!other.verdict.ok || !first.verdict.ok) throw new Error('in-b denied');
    const third = decideEntry(other.state, intent, candidate(), limits, NOW + 30_000);
    expect(third.verdict).toEqual(withdrawn.verdict);
    expect(third.state.pending.map((p) => [p.intentId, p.qty])).toEqual([
      ['in-a', first.verdict.qty],
      ['in-b', other.verdict.qty],
    ]);
    // The approval had gone out after all and orders acted on it: its refusal frees the room.
    const refused = releasePending(third.state, {
      intentId: 'in-a',
      clientOrderId: 'bl-a',
      unfilledQty: first.verdict.qty,
    });
    expect(refused.pending.map((p) => p.intentId)).toEqual(['in-b']);
    // Never acted on, it lapses at the approval's expiry.
    const lapsed = decideEntry(other.state, { intentId: 'in-c', ttlMs: TTL }, candidate(), limits, NOW + TTL);
    expect(lapsed.state.pending.map((p) => p.intentId)).not.toContain('in-a');
  });

  it('leaves a restart to reserve what the orders of an approval that had gone out have not filled', () => {
    const first = approved();
    const killed = engageKillSwitch(first.state, { reason: 'operator', at: NOW + 1 });
    const withdrawn = decideEntry(killed, intent, candidate(), limits, NOW + 10_000);
    const order = {
      intentId: 'in-a',
      strategy: 'trend',
      clientOrderId: 'bl-a',
      exchange: 'binance',
      symbol: 'SOL-USDT',
      side: 'buy' as const,
      qty: 10,
      filledQty: 4,
      price: 100,
      dueAt: NOW,
      live: true,
    };
    expect(pendingAtStart([order], withdrawn.state.decided, TTL, NOW + 20_000)).toMatchObject([
      { intentId: 'in-a', qty: 6, entry: 100 },
    ]);
    // Without a recorded order (the approval never reached orders) nothing is reserved.
    expect(pendingAtStart([], withdrawn.state.decided, TTL, NOW + 20_000)).toEqual([]);
  });
});
