import { describe, expect, it } from 'vitest';
import { KILL_RELEASED } from '../execution/kill-state';
import { checkEntryGates } from './entry-gates';
import { checkDailyLoss, checkDrawdown } from './equity-halts';
import { DEFAULT_RISK_LIMITS as limits } from './risk-limits';
import {
  applyClosedTrade,
  applyEntryFill,
  applyEquityMark,
  applyExitFill,
  applyKillState,
  applyResume,
  applyStopMove,
  engageKillSwitch,
  releaseKillSwitch,
  resumeFromDrawdown,
  setMarketStale,
  setVenueReconciled,
} from './risk-reducers';
import { initialRiskState, type RiskState } from './risk-state';

const HOUR = 3_600_000;
const DAY1 = Date.UTC(2022, 0, 10);
const DAY2 = Date.UTC(2022, 0, 11);
const mark = (state: RiskState, equity: number, time: number) =>
  applyEquityMark(state, { equity, time }, limits);

describe('daily loss limit', () => {
  it('halts new entries once the loss reaches 5% of start-of-day equity', () => {
    const state = mark(initialRiskState(10_000, DAY1), 9_500, DAY1 + 10 * HOUR);
    expect(state.dailyLossHalt).toEqual({ limit: 500, value: 500, at: DAY1 + 10 * HOUR });
    expect(checkDailyLoss(state, limits, DAY1 + 11 * HOUR)).toMatchObject({
      ok: false,
      reason: 'daily_loss',
      limit: 500,
      value: 500,
    });
  });

  it('allows entries at a loss just under the limit', () => {
    const state = mark(initialRiskState(10_000, DAY1), 9_501, DAY1 + HOUR);
    expect(state.dailyLossHalt).toBeNull();
    expect(checkDailyLoss(state, limits, DAY1 + HOUR)).toEqual({ ok: true });
  });

  it('stays halted for the rest of the day after equity recovers', () => {
    let state = mark(initialRiskState(10_000, DAY1), 9_400, DAY1 + HOUR);
    state = mark(state, 9_900, DAY1 + 20 * HOUR);
    expect(checkDailyLoss(state, limits, DAY1 + 23 * HOUR)).toMatchObject({
      reason: 'daily_loss',
      limit: 500,
      value: 600,
    });
  });

  it('resets at the next UTC day with that day starting from the last equity', () => {
    let state = mark(initialRiskState(10_000, DAY1), 9_400, DAY1 + HOUR);
    expect(checkDailyLoss(state, limits, DAY2 - 1)).toMatchObject({ ok: false });
    expect(checkDailyLoss(state, limits, DAY2)).toEqual({ ok: true });
    state = mark(state, 9_380, DAY2 + HOUR);
    expect(state).toMatchObject({ day: DAY2, dayStartEquity: 9_400, dailyLossHalt: null });
    state = mark(state, 8_930, DAY2 + 2 * HOUR);
    expect(state.dailyLossHalt).toEqual({ limit: 470, value: 470, at: DAY2 + 2 * HOUR });
  });
});

describe('drawdown halt', () => {
  it('halts when equity falls 15% below its peak and persists across days and recoveries', () => {
    let state = mark(initialRiskState(10_000, DAY1), 12_000, DAY1 + HOUR);
    state = mark(state, 10_200, DAY1 + 2 * HOUR);
    expect(state.drawdownHalt).toEqual({ limit: 1_800, value: 1_800, at: DAY1 + 2 * HOUR });
    state = mark(state, 11_900, DAY2 + 5 * HOUR);
    expect(checkDrawdown(state, limits)).toMatchObject({
      ok: false,
      reason: 'max_drawdown',
      limit: 1_800,
      value: 1_800,
    });
  });

  it('does not halt just above the drawdown limit', () => {
    let state = mark(initialRiskState(10_000, DAY1), 12_000, DAY1 + HOUR);
    state = mark(state, 10_201, DAY1 + 2 * HOUR);
    expect(state.drawdownHalt).toBeNull();
  });

  it('lifts only on an explicit resume, which makes current equity the new peak', () => {
    let state = mark(initialRiskState(10_000, DAY1), 8_000, DAY1 + HOUR);
    state = resumeFromDrawdown(state);
    expect(state).toMatchObject({ drawdownHalt: null, peakEquity: 8_000 });
    expect(checkDrawdown(state, limits)).toEqual({ ok: true });
    state = mark(state, 6_800, DAY1 + 2 * HOUR);
    expect(state.drawdownHalt).toEqual({ limit: 1_200, value: 1_200, at: DAY1 + 2 * HOUR });
  });

  it("is lifted by the operator's resume only when it asks to clear it; the kill switch by either", () => {
    const killed = engageKillSwitch(mark(initialRiskState(10_000, DAY1), 8_400, DAY1 + HOUR), {
      reason: 'incident',
      at: DAY1 + HOUR,
    });
    const halt = { limit: 1_500, value: 1_600, at: DAY1 + HOUR };
    expect(applyResume(killed, { clearDrawdown: false })).toMatchObject({
      kill: { engaged: false },
      drawdownHalt: halt,
      peakEquity: 10_000,
    });
    expect(applyResume(killed, { clearDrawdown: true })).toMatchObject({
      kill: { engaged: false },
      drawdownHalt: null,
      peakEquity: 8_400,
    });
  });

  it('keeps the peak on a resume asking to clear a drawdown halt when there is none', () => {
    const state = mark(initialRiskState(10_000, DAY1), 9_000, DAY1 + HOUR);
    expect(applyResume(state, { clearDrawdown: true }).peakEquity).toBe(10_000);
  });
});

describe('position reducers', () => {
  const base = initialRiskState(10_000, DAY1);
  const fill = {
    positionId: 'p1',
    exchange: 'binance',
    symbol: 'BTC-USDT',
    side: 'long' as const,
    stop: 95,
    strategy: 'trend',
  };

  it('opens a position and adds to it at the volume-weighted entry', () => {
    let state = applyEntryFill(base, { ...fill, qty: 1, price: 100 });
    state = applyEntryFill(state, { ...fill, qty: 3, price: 104, stop: 97 });
    expect(state.positions).toEqual([{ ...fill, qty: 4, entry: 103, stop: 97 }]);
  });

  it("takes the position's reported average entry on an add instead of averaging it in again", () => {
    let state = applyEntryFill(base, { ...fill, qty: 1, price: 100, avgEntry: 100 });
    // The second lot filled at 110: the orders service reports the position at 105.
    state = applyEntryFill(state, { ...fill, qty: 1, price: 105, avgEntry: 105 });
    expect(state.positions).toEqual([{ ...fill, qty: 2, entry: 105 }]);
  });

  it('leaves a position to the strategy whose fill opened it: an add credited to another does not take it', () => {
    let state = applyEntryFill(base, { ...fill, qty: 1, price: 100 });
    state = applyEntryFill(state, { ...fill, qty: 1, price: 100, strategy: 'breakout' });
    expect(state.positions.map((p) => [p.strategy, p.qty])).toEqual([['trend', 2]]);
  });

  it('shrinks on an exit and removes the position when float noise is all that is left', () => {
    let state = applyEntryFill(base, { ...fill, qty: 0.3, price: 100 });
    state = applyExitFill(state, { positionId: 'p1', qty: 0.1 });
    expect(state.positions[0]?.qty).toBeCloseTo(0.2, 12);
    state = applyExitFill(state, { positionId: 'p1', qty: 0.2 });
    expect(state.positions).toEqual([]);
  });

  it('applies exits and stop moves while killed and halted: exits are never blocked', () => {
    let state = applyEntryFill(base, { ...fill, qty: 1, price: 100 });
    state = engageKillSwitch(mark(state, 8_000, DAY1 + HOUR), { reason: 'operator', at: DAY1 + HOUR });
    state = applyStopMove(state, { positionId: 'p1', stop: 99 });
    expect(state.positions[0]?.stop).toBe(99);
    expect(applyExitFill(state, { positionId: 'p1', qty: 1 }).positions).toEqual([]);
  });

  it('ignores exits for positions it does not hold', () => {
    expect(applyExitFill(base, { positionId: 'unknown', qty: 1 })).toBe(base);
  });

  it('folds closed trades into the loss streak', () => {
    const state = [-5, -7].reduce(
      (s, pnl, i) => applyClosedTrade(s, { pnl, fees: 0.1, closeTime: DAY1 + i * HOUR }),
      base,
    );
    expect(state.lossStreak).toEqual({ losses: 2, lastLossTime: DAY1 + HOUR });
  });

  it('engages and releases the kill switch, and toggles stale markets and venues', () => {
    const killed = engageKillSwitch(base, { reason: 'manual', at: DAY1 });
    expect(killed.kill).toEqual({ engaged: true, reason: 'manual', since: DAY1 });
    expect(releaseKillSwitch(killed).kill).toEqual({ engaged: false, reason: null, since: null });
    const stale = setMarketStale(setMarketStale(base, 'binance:BTC-USDT', true), 'binance:BTC-USDT', true);
    expect(stale.staleMarkets).toEqual(['binance:BTC-USDT']);
    expect(setMarketStale(stale, 'binance:BTC-USDT', false).staleMarkets).toEqual([]);
    const unreconciled = setVenueReconciled(base, 'bybit', false);
    expect(unreconciled.unreconciledVenues).toEqual(['bybit']);
    expect(setVenueReconciled(unreconciled, 'bybit', true).unreconciledVenues).toEqual([]);
  });

  it('reads a stored kill switch: engaged with its reason and time, or released', () => {
    const stored = { ...KILL_RELEASED, engaged: true, reason: 'operator', since: DAY1 };
    expect(applyKillState(base, stored, DAY2).kill).toEqual({
      engaged: true,
      reason: 'operator',
      since: DAY1,
    });
    const bare = { ...KILL_RELEASED, engaged: true };
    expect(applyKillState(base, bare, DAY2).kill).toEqual({ engaged: true, reason: '', since: DAY2 });
    const killed = applyKillState(base, stored, DAY2);
    expect(applyKillState(killed, KILL_RELEASED, DAY2).kill).toEqual({
      engaged: false,
      reason: null,
      since: null,
    });
  });

  it('says why a venue is closed when told, and forgets it once the venue opens', () => {
    const stale = setVenueReconciled(base, 'binance', false, 'binance: the last status is 95000 ms old');
    expect(checkEntryGates(stale, { exchange: 'binance', symbol: 'BTC-USDT' }, limits, DAY1)).toEqual({
      ok: false,
      reason: 'unreconciled',
      limit: 0,
      value: 1,
      detail: 'binance: the last status is 95000 ms old',
    });
    const reopened = setVenueReconciled(stale, 'binance', true);
    expect([reopened.unreconciledVenues, reopened.unreconciledWhy]).toEqual([[], {}]);
    const closed = setVenueReconciled(reopened, 'binance', false);
    expect(checkEntryGates(closed, { exchange: 'binance', symbol: 'BTC-USDT' }, limits, DAY1)).toMatchObject({
      detail: 'binance is not reconciled with our records',
    });
  });
});
