import type { BookLevel } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { deepBook, NOW, STRATEGY, solCandidate, spotRules } from './entry.fixture';
import { type EntryCandidate, evaluateEntry } from './evaluate-entry';
import { btcusdtBook } from './real-market.fixture';
import { DEFAULT_RISK_LIMITS } from './risk-limits';

/** The defaults, with shorts allowed (a venue that can borrow), so both sides' geometry is tested. */
const limits = { ...DEFAULT_RISK_LIMITS, allowShort: true };

import { engageKillSwitch, setMarketStale } from './risk-reducers';
import { initialRiskState, type OpenPosition, type RiskState } from './risk-state';

const rules = spotRules;
const candidate = solCandidate;

const position = (
  symbol: string,
  qty: number,
  entry: number,
  stop: number,
  side: 'long' | 'short' = 'long',
): OpenPosition => ({
  positionId: `${symbol}:${side}`,
  exchange: 'binance',
  symbol,
  side,
  qty,
  entry,
  stop,
  strategy: STRATEGY,
});

const withPositions = (...positions: OpenPosition[]): RiskState => ({
  ...initialRiskState(10_000, NOW),
  positions,
});
const evaluate = (state: RiskState, over: Partial<EntryCandidate> = {}) =>
  evaluateEntry(state, candidate(over), limits, NOW);
const empty = withPositions();

// At the live costs a unit of the fixture's long (entry 100, stop 90) loses 10.63955 stopped out: the
// stop-limit's worst fill 89.55 (90 less 50 bps, on the tick) and 0.1 % taker fees on 100 and on 89.55.
describe('evaluateEntry sizing', () => {
  it('sizes a position so that hitting the stop, at its worst fill with fees, costs at most 1% of equity', () => {
    // 100 / 10.63955 = 9.399…, down to the 0.01 step; riskAmount is qty × the 10 of stop distance.
    expect(evaluate(empty)).toEqual({
      ok: true,
      qty: 9.39,
      entry: 100,
      stop: 90,
      riskAmount: 93.9,
      notional: 939,
      scaledBy: 1,
      cappedBy: null,
    });
  });

  it('halves the size in a choppy market and quarters it in a volatile one', () => {
    // 50 / 10.63955 = 4.699…; 25 / 10.63955 = 2.349…
    expect(evaluate(empty, { regime: 'choppy' })).toMatchObject({
      ok: true,
      qty: 4.69,
      riskAmount: 4.69 * 10,
      scaledBy: 0.5,
    });
    expect(evaluate(empty, { regime: 'volatile' })).toMatchObject({
      ok: true,
      qty: 2.34,
      riskAmount: 23.4,
      scaledBy: 0.25,
    });
  });

  it('multiplies in the volatility regime scale and a reviewer shrink', () => {
    // 12.5 / 10.63955 = 1.174…; 40 / 10.63955 = 3.759…
    expect(evaluate(empty, { regime: 'volatile', volatilityScale: 0.5 })).toMatchObject({
      qty: 1.17,
      riskAmount: 11.7,
      scaledBy: 0.125,
    });
    expect(evaluate(empty, { sizeMultiplier: 0.4 })).toMatchObject({
      qty: 3.75,
      riskAmount: 37.5,
      scaledBy: 0.4,
    });
  });

  it('loses at most 1% of equity stopped out at the stop-limit’s worst fill, both fills paying the taker fee', () => {
    // Room for any size (the caps would hide the sizing), wide or tight stops, long and short. Each worst
    // fill is the stop-limit's limit, 50 bps beyond the stop on the 0.01 tick and away from the market
    // (exchange's stopLimitPrice): 90 → 89.55, 99.5 → 99.00 (99.0025 down), 110 → 110.55, 100.5 → 101.01
    // (101.0025 up). Sized by the stop distance alone the first lost 10 × 10.63955 = 106.4 there.
    const roomy = { ...limits, maxPositionNotional: 1, maxExposure: 1, maxOpenRisk: 1 };
    const trades = [
      { side: 'long', stop: 90, takeProfits: [120], fill: 89.55 },
      { side: 'long', stop: 99.5, takeProfits: [101], fill: 99 },
      { side: 'short', stop: 110, takeProfits: [80], fill: 110.55 },
      { side: 'short', stop: 100.5, takeProfits: [99], fill: 101.01 },
    ] as const;
    for (const { fill, ...trade } of trades) {
      const approved = evaluateEntry(empty, candidate(trade), roomy, NOW);
      if (!approved.ok) throw new Error(`denied: ${approved.detail}`);
      expect(approved.cappedBy).toBeNull();
      const moved = approved.qty * Math.abs(approved.entry - fill);
      const fees = 0.001 * approved.qty * (approved.entry + fill);
      expect(moved + fees).toBeLessThanOrEqual(limits.riskPerTrade * empty.equity);
      // All of the budget but what the 0.01 step rounded away.
      expect(moved + fees).toBeGreaterThan(limits.riskPerTrade * empty.equity - 0.11);
    }
  });

  it('cuts a tight-stop position to 15% of equity in notional', () => {
    expect(evaluate(empty, { stop: 98, takeProfits: [104] })).toEqual({
      ok: true,
      qty: 15,
      entry: 100,
      stop: 98,
      riskAmount: 30,
      notional: 1_500,
      scaledBy: 1,
      cappedBy: 'max_position',
    });
  });

  it('counts what the market already holds against the 15% cap', () => {
    const held = withPositions(position('SOL-USDT', 10, 100, 95));
    expect(evaluate(held)).toMatchObject({ ok: true, qty: 5, notional: 500, cappedBy: 'max_position' });
  });

  it('denies an entry into a market already at 15% of equity', () => {
    const held = withPositions(position('SOL-USDT', 15, 100, 95));
    expect(evaluate(held)).toEqual({
      ok: false,
      reason: 'max_position',
      limit: 1_500,
      value: 1_510,
      detail:
        "binance:SOL-USDT long holds 1500 of at most 1500; the room left is below the venue's smallest order",
    });
  });

  it('puts entry and stop on the tick grid, the stop away from entry', () => {
    expect(evaluate(empty, { entry: 100.004, stop: 90.006 })).toMatchObject({
      ok: true,
      entry: 100,
      stop: 90,
      qty: 9.39,
    });
    // The short's stop-limit buys up to 110.55 (110 plus 50 bps): a unit loses 10.55 + 0.1 % of 100 and
    // of 110.55 = 10.76055, so 100 / 10.76055 = 9.293… is 9.29.
    expect(
      evaluate(empty, { side: 'short', entry: 100.004, stop: 109.994, takeProfits: [80] }),
    ).toMatchObject({
      ok: true,
      entry: 100,
      stop: 110,
      qty: 9.29,
    });
  });

  it('denies a size below the venue minimum notional', () => {
    // Equity 50: 0.5 / 10.63955 = 0.046… SOL, 0.04 on the step: 4 USDT at 100.
    const small = { ...initialRiskState(50, NOW) };
    expect(evaluate(small)).toMatchObject({ ok: false, reason: 'min_notional', limit: 10, value: 4 });
  });

  it('denies an entry the venue would take but whose stop it would refuse (below the minimum at the stop)', () => {
    // Equity 110: 1.1 / 10.63955 = 0.103… is 0.1 SOL, at 100 10 USDT, just the minimum; at the stop-limit
    // (90 less 100 bps: 89.1) it is 8.91, so the stop and any take-profit share would be refused.
    const denied = evaluate({ ...initialRiskState(110, NOW) });
    expect(denied).toMatchObject({ ok: false, reason: 'min_notional', limit: 10 });
    expect(!denied.ok && denied.value).toBeCloseTo(8.91, 9);
    expect(!denied.ok && denied.detail).toContain('at the stop');
    // Equity 128: 1.28 / 10.63955 = 0.120… is 0.12 SOL, 10.69 at 89.1, sellable at its stop.
    expect(evaluate({ ...initialRiskState(128, NOW) })).toMatchObject({ ok: true, qty: 0.12 });
    // With no allowance the stop's own price counts: 0.12 × 90 = 10.8 would pass, 0.1 × 90 = 9 would not.
    const exact = { ...limits, stopExitAllowanceBps: 0 };
    expect(evaluateEntry({ ...initialRiskState(110, NOW) }, candidate(), exact, NOW)).toMatchObject({
      ok: false,
      reason: 'min_notional',
      value: 9,
    });
  });

  it('denies a short whose take-profit, buying back below its entry, the venue would refuse', () => {
    // Equity 110: 1.1 / 10.76055 = 0.102… is 0.1 SOL, at 100 10 USDT, just the minimum; bought back at
    // its take-profit 80 it is 8, so the take-profit (even closing the whole position) would be refused.
    const short = { side: 'short' as const, entry: 100, stop: 110, takeProfits: [84, 80] };
    const denied = evaluate({ ...initialRiskState(110, NOW) }, short);
    expect(denied).toMatchObject({ ok: false, reason: 'min_notional', limit: 10, value: 8 });
    expect(!denied.ok && denied.detail).toContain('at the lowest take-profit');
    // Equity 140: 1.4 / 10.76055 = 0.130… is 0.13 SOL, 10.4 at 80: every exit is sellable.
    expect(evaluate({ ...initialRiskState(140, NOW) }, short)).toMatchObject({ ok: true, qty: 0.13 });
  });

  it('sizes a real BTCUSDT entry against the real book on 0.00001 BTC steps', () => {
    const real = btcusdtBook();
    const bestAsk = Math.min(...real.book.asks.map(([p]) => p));
    const state = initialRiskState(25_000, NOW);
    const result = evaluateEntry(
      state,
      candidate({
        symbol: 'BTC-USDT',
        entry: bestAsk,
        stop: bestAsk * 0.97,
        takeProfits: [bestAsk * 1.06],
        book: real.book,
        rules: rules.BTCUSDT!,
      }),
      limits,
      NOW,
    );
    // 25,000 × 15% = 3,750 USDT of BTC at 58,001.04 is 0.0646540… BTC, rounded down to the 0.00001 step.
    expect(bestAsk).toBe(58001.04);
    expect(result).toMatchObject({ ok: true, qty: 0.06465, entry: 58001.04, cappedBy: 'max_position' });
    expect(result.ok && String(result.qty)).toBe('0.06465');
  });
});

describe('evaluateEntry liquidity', () => {
  it('caps a long at 10% of the asks within 50 bps of the best ask', () => {
    const book = {
      bids: deepBook.bids,
      asks: [
        [100.6, 100],
        [100, 2],
        [100.3, 3],
      ] as BookLevel[],
    };
    expect(evaluate(empty, { book })).toMatchObject({
      ok: true,
      qty: 0.5,
      riskAmount: 5,
      cappedBy: 'liquidity',
    });
  });

  it('caps a short at 10% of the bids within 50 bps of the best bid', () => {
    const book = {
      asks: deepBook.asks,
      bids: [
        [100, 4],
        [99.5, 6],
        [99.4, 50],
      ] as BookLevel[],
    };
    expect(evaluate(empty, { book, side: 'short', stop: 110, takeProfits: [80] })).toMatchObject({
      ok: true,
      qty: 1,
      cappedBy: 'liquidity',
    });
  });

  it('denies an entry when the visible depth allows less than the venue minimum', () => {
    const book = { bids: deepBook.bids, asks: [[100, 0.5]] as BookLevel[] };
    expect(evaluate(empty, { book })).toMatchObject({
      ok: false,
      reason: 'liquidity',
      limit: 0.05,
      value: 0.1,
    });
  });

  it('denies an entry liquidity when no book can be trusted, saying why', () => {
    const none = 'streamed: none in sequence since a snapshot; REST depth read failed: fetchOrderBook: 503';
    expect(evaluate(empty, { book: { none } })).toEqual({
      ok: false,
      reason: 'liquidity',
      limit: 0,
      value: 0.1,
      detail: `no binance:SOL-USDT order book to size against (${none})`,
    });
  });
});

describe('evaluateEntry portfolio limits', () => {
  it('denies an order that would take exposure above 50% of equity', () => {
    const state = withPositions(
      position('BNB-USDT', 3, 500, 499),
      position('AVAX-USDT', 15, 100, 99),
      position('DOT-USDT', 16, 100, 99),
    );
    // 4,600 held and the entry's 939 (9.39 SOL at 100, sized as above).
    expect(evaluate(state)).toEqual({
      ok: false,
      reason: 'max_exposure',
      limit: 5_000,
      value: 5_539,
      detail: 'exposure would be 5539, above 5000',
    });
  });

  it('allows exposure that lands exactly on 50% of equity', () => {
    // 4,061 held and the entry's 939.
    const state = withPositions(position('BNB-USDT', 4_061, 1, 0.99));
    expect(evaluate(state)).toMatchObject({ ok: true, notional: 939 });
  });

  it('denies an order that would take open risk above 6% of equity', () => {
    // 10 × (100 − 45) = 550 held and the entry's 9.39 × 10 = 93.9.
    const state = withPositions(position('BNB-USDT', 10, 100, 45));
    const denied = evaluate(state);
    expect(denied).toMatchObject({ ok: false, reason: 'max_open_risk', limit: 600 });
    expect(!denied.ok && denied.value).toBeCloseTo(643.9, 9);
  });

  it('does not count a stop already past entry as open risk', () => {
    const state = withPositions(position('BNB-USDT', 10, 100, 48), position('ETH-USDT', 1, 100, 120));
    expect(evaluate(state, { stop: 95, takeProfits: [110] })).toMatchObject({ ok: true, riskAmount: 75 });
  });

  it('denies a sixth open position', () => {
    const five = ['A', 'B', 'C', 'D', 'E'].map((s) => position(`${s}-USDT`, 1, 100, 99));
    expect(evaluate(withPositions(...five))).toMatchObject({
      ok: false,
      reason: 'max_open_positions',
      limit: 5,
      value: 6,
    });
  });

  it('lets a full book of positions add to a market it already holds', () => {
    const five = ['A', 'B', 'C', 'D', 'SOL'].map((s) => position(`${s}-USDT`, 1, 100, 99));
    expect(evaluate(withPositions(...five))).toMatchObject({ ok: true, qty: 9.39 });
  });
});

describe('evaluateEntry reward:risk and validity', () => {
  it('denies a reward:risk to the nearest target below 1.5', () => {
    expect(evaluate(empty, { takeProfits: [130, 112] })).toEqual({
      ok: false,
      reason: 'reward_risk',
      limit: 1.5,
      value: 1.2,
      detail: 'reward:risk 1.20 to the nearest target is below 1.5',
    });
  });

  it('accepts a reward:risk of exactly 1.5', () => {
    expect(evaluate(empty, { takeProfits: [115] })).toMatchObject({ ok: true });
  });

  it('denies a stop on the profit side of entry as an invalid intent', () => {
    expect(evaluate(empty, { stop: 101 })).toMatchObject({
      ok: false,
      reason: 'invalid_intent',
      limit: 0,
      value: 0,
    });
    expect(evaluate(empty, { takeProfits: [] })).toMatchObject({ ok: false, reason: 'invalid_intent' });
    expect(evaluate(empty, { takeProfits: [95] })).toMatchObject({ ok: false, reason: 'invalid_intent' });
    expect(evaluate(empty, { sizeMultiplier: 1.5 })).toMatchObject({ ok: false, reason: 'invalid_intent' });
  });
});

describe('evaluateEntry order of checks', () => {
  it('answers kill switch first, even for an otherwise invalid and stale candidate', () => {
    const state = setMarketStale(
      engageKillSwitch(empty, { reason: 'manual', at: NOW }),
      'binance:SOL-USDT',
      true,
    );
    expect(evaluate(state, { stop: 101 })).toMatchObject({ ok: false, reason: 'kill_switch' });
  });

  it('answers stale data before reward:risk', () => {
    expect(evaluate(setMarketStale(empty, 'binance:SOL-USDT', true), { takeProfits: [101] })).toMatchObject({
      reason: 'stale_data',
    });
  });

  it('denies a short by default, after the gates and before anything about the candidate', () => {
    const short = { side: 'short' as const, entry: 100, stop: 110, takeProfits: [80] };
    expect(evaluateEntry(empty, candidate(short), DEFAULT_RISK_LIMITS, NOW)).toEqual({
      ok: false,
      reason: 'short_not_allowed',
      limit: 0,
      value: 1,
      detail: 'short entries are not allowed (risk limit allowShort is off)',
    });
    expect(evaluateEntry(empty, candidate({ ...short, stop: 90 }), DEFAULT_RISK_LIMITS, NOW)).toMatchObject({
      reason: 'short_not_allowed',
    });
    const killed = engageKillSwitch(empty, { reason: 'manual', at: NOW });
    expect(evaluateEntry(killed, candidate(short), DEFAULT_RISK_LIMITS, NOW)).toMatchObject({
      reason: 'kill_switch',
    });
    expect(evaluate(empty, short)).toMatchObject({ ok: true });
  });

  it('answers reward:risk before sizing and portfolio limits', () => {
    const five = ['A', 'B', 'C', 'D', 'E'].map((s) => position(`${s}-USDT`, 1, 100, 99));
    expect(evaluate(withPositions(...five), { takeProfits: [101] })).toMatchObject({ reason: 'reward_risk' });
  });
});
