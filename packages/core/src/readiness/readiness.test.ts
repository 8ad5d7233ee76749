import { describe, expect, it } from 'vitest';
import { evaluateReadiness, type ReadinessCriterion, redCriteria } from './evaluate-readiness';
import { liveEntryRefusal } from './live-start';
import { closedTradeDrawdownPct, dailyReturns, paperPerformance } from './paper-performance';
import type { ReadinessInputs } from './readiness-inputs';
import {
  looserThresholds,
  ReadinessThresholds,
  DEFAULT_READINESS_THRESHOLDS as T,
} from './readiness-thresholds';
import { liveResults, nextLifecycle, reviewLive } from './strategy-lifecycle';

const GREEN: ReadinessInputs = {
  paperDays: 30,
  closedTrades: 30,
  sharpe: 0.51,
  maxDrawdownPct: 14.99,
  expectancy: 0.01,
  stopCoveragePct: 100,
  uptimePct: 99,
  backtest: { trades: 12, expectancy: 3.5, maxDrawdownPct: 8 },
};

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);

const outcome = (inputs: ReadinessInputs, name: ReadinessCriterion) =>
  evaluateReadiness(inputs, T).criteria.find((c) => c.criterion === name);

describe('evaluateReadiness', () => {
  it('is green at every boundary value that passes', () => {
    const report = evaluateReadiness(GREEN, T);
    expect(report.ok).toBe(true);
    expect(report.criteria.map((c) => [c.criterion, c.ok, c.value, c.threshold])).toEqual([
      ['paper_days', true, 30, 30],
      ['closed_trades', true, 30, 30],
      ['sharpe', true, 0.51, 0.5],
      ['max_drawdown', true, 14.99, 15],
      ['expectancy', true, 0.01, 0],
      ['stop_coverage', true, 100, 100],
      ['uptime', true, 99, 99],
      ['backtest', true, 3.5, 0],
    ]);
    expect(outcome(GREEN, 'sharpe')?.target).toBe(1);
  });

  it.each([
    ['paper_days', { paperDays: 29.99 }, 29.99, 30],
    ['closed_trades', { closedTrades: 29 }, 29, 30],
    ['sharpe', { sharpe: 0.5 }, 0.5, 0.5],
    ['max_drawdown', { maxDrawdownPct: 15 }, 15, 15],
    ['expectancy', { expectancy: 0 }, 0, 0],
    ['stop_coverage', { stopCoveragePct: 99.99 }, 99.99, 100],
    ['uptime', { uptimePct: 98.99 }, 98.99, 99],
    ['backtest', { backtest: { trades: 12, expectancy: 0, maxDrawdownPct: 8 } }, 0, 0],
  ] as const)('%s is red just past its boundary', (name, patch, value, threshold) => {
    const inputs = { ...GREEN, ...patch };
    const report = evaluateReadiness(inputs, T);
    expect(report.ok).toBe(false);
    expect(outcome(inputs, name)).toMatchObject({ criterion: name, ok: false, value, threshold });
    expect(redCriteria(report)).toEqual([name]);
  });

  it('never greens a figure that could not be measured', () => {
    const inputs: ReadinessInputs = {
      ...GREEN,
      paperDays: null,
      sharpe: null,
      stopCoveragePct: null,
      uptimePct: null,
      backtest: null,
    };
    expect(redCriteria(evaluateReadiness(inputs, T))).toEqual([
      'paper_days',
      'sharpe',
      'stop_coverage',
      'uptime',
      'backtest',
    ]);
    expect(outcome(inputs, 'backtest')).toMatchObject({ value: null, note: 'no backtest over the period' });
  });

  it('fails a profitable backtest that broke the drawdown limit or never traded', () => {
    const deep = { ...GREEN, backtest: { trades: 12, expectancy: 5, maxDrawdownPct: 15 } };
    const idle = { ...GREEN, backtest: { trades: 0, expectancy: 5, maxDrawdownPct: 0 } };
    expect(outcome(deep, 'backtest')?.ok).toBe(false);
    expect(outcome(idle, 'backtest')?.ok).toBe(false);
  });
});

describe('paperPerformance', () => {
  it('counts idle days as zero returns and compounds equity day by day', () => {
    const trades = [
      { pnl: 100, closeTime: START + 0.5 * DAY },
      { pnl: -55, closeTime: START + 2.5 * DAY },
    ];
    expect(dailyReturns(trades, 1000, START, START + 3 * DAY)).toEqual([0.1, 0, -0.05]);
  });

  it('measures drawdown of closed-trade equity from its peak', () => {
    const trades = [
      { pnl: 100, closeTime: 1 },
      { pnl: -220, closeTime: 2 },
      { pnl: 50, closeTime: 3 },
    ];
    expect(closedTradeDrawdownPct(trades, 1000)).toBeCloseTo(20, 12);
  });

  it("counts the open positions' result at their marks as the last point of the equity: a loss not closed is a drawdown", () => {
    const trades = [
      { pnl: 100, closeTime: 1 },
      { pnl: 50, closeTime: 2 },
    ];
    expect(closedTradeDrawdownPct(trades, 1000, -345)).toBeCloseTo(30, 12);
    // An open gain is no drawdown, and does not hide one already closed.
    expect(closedTradeDrawdownPct([...trades, { pnl: -230, closeTime: 3 }], 1000, 500)).toBeCloseTo(20, 12);
    expect(paperPerformance(trades, 1000, 0, DAY, -345).maxDrawdownPct).toBeCloseTo(30, 12);
  });

  it('ignores trades outside the period and reports days, count and expectancy', () => {
    const trades = [
      { pnl: 999, closeTime: START - 1 },
      { pnl: 10, closeTime: START + DAY },
      { pnl: -4, closeTime: START + 2 * DAY },
    ];
    const p = paperPerformance(trades, 1000, START, START + 45 * DAY);
    expect(p).toMatchObject({ paperDays: 45, closedTrades: 2, expectancy: 3 });
    expect(paperPerformance([], 1000, START, START + DAY)).toMatchObject({ expectancy: null, sharpe: null });
  });
});

describe('a trade counts in the period it was entered in', () => {
  it('leaves out of the paper period a trade entered before it (a live position closing after a demotion)', () => {
    const trades = [
      // Entered live before the demotion at START, closed after it at a profit.
      { pnl: 500, closeTime: START + DAY, entryTime: START - DAY },
      { pnl: -4, closeTime: START + 2 * DAY, entryTime: START + DAY },
      // Recorded before entry times were kept: judged by its close.
      { pnl: 10, closeTime: START + 3 * DAY, entryTime: null },
    ];
    expect(paperPerformance(trades, 1000, START, START + 45 * DAY)).toMatchObject({
      closedTrades: 2,
      expectancy: 3,
      maxDrawdownPct: 0.4,
    });
  });

  it('leaves out of the live results a paper trade entered before the promotion', () => {
    const trades = [
      { pnl: -300, closeTime: START + DAY, entryTime: START - DAY },
      { pnl: 20, closeTime: START + 2 * DAY, entryTime: START + DAY },
    ];
    expect(liveResults(trades, START, 1000)).toEqual({ trades: 1, expectancy: 20, drawdownPct: 0 });
  });
});

describe('nextLifecycle', () => {
  const green = evaluateReadiness(GREEN, T);
  const red = evaluateReadiness({ ...GREEN, closedTrades: 3, uptimePct: 90 }, T);
  const NOW = START + 40 * DAY;
  const shadow = { state: 'shadow' } as const;
  const live = { state: 'live' } as const;
  const at = { now: NOW };

  it('promotes shadow to live only when every criterion is green', () => {
    expect(nextLifecycle(shadow, green, null, at)).toMatchObject({ state: 'live', reason: 'all_green' });
    expect(nextLifecycle(shadow, red, null, at)).toEqual({
      state: 'shadow',
      reason: 'criteria_red',
      detail: 'red: closed_trades, uptime',
    });
  });

  it('promotes with red criteria only under a recorded override, naming them and its expiry', () => {
    const override = { expiresAt: NOW + 30 * DAY };
    expect(nextLifecycle(shadow, red, null, { ...at, override })).toEqual({
      state: 'live',
      reason: 'override',
      detail: `live by recorded override until ${new Date(NOW + 30 * DAY).toISOString()}; red: closed_trades, uptime`,
      overrideExpiresAt: NOW + 30 * DAY,
    });
  });

  it('demotes live on drawdown at the limit, and on non-positive expectancy after enough trades', () => {
    expect(nextLifecycle(live, green, { trades: 2, expectancy: 5, drawdownPct: 15 }, at)).toMatchObject({
      state: 'shadow',
      reason: 'live_drawdown',
    });
    expect(nextLifecycle(live, green, { trades: 10, expectancy: 0, drawdownPct: 3 }, at)).toMatchObject({
      state: 'shadow',
      reason: 'live_expectancy',
    });
  });

  it('keeps live while its results hold, even with few losing trades or a red gate', () => {
    expect(nextLifecycle(live, red, { trades: 9, expectancy: -5, drawdownPct: 3 }, at)).toMatchObject({
      state: 'live',
      reason: 'live_healthy',
    });
    expect(nextLifecycle(live, green, null, at)).toMatchObject({ state: 'live', reason: 'live_healthy' });
  });

  it('demotes a strategy live by override once the override expired and the gate is not all green', () => {
    const overridden = { state: 'live', overrideExpiresAt: NOW } as const;
    expect(nextLifecycle(overridden, red, null, { now: NOW - 1 })).toEqual({
      state: 'live',
      reason: 'live_healthy',
      detail: 'live performance within limits',
      overrideExpiresAt: NOW,
    });
    expect(nextLifecycle(overridden, red, null, at)).toEqual({
      state: 'shadow',
      reason: 'override_expired',
      detail: `the override expired ${new Date(NOW).toISOString()} and the gate is not all green`,
    });
    // All green: the override is no longer needed, and ends.
    expect(nextLifecycle(overridden, green, null, at)).toEqual({
      state: 'live',
      reason: 'live_healthy',
      detail: 'live performance within limits',
    });
  });

  it('does not let a gate green only under loosened thresholds end an override or outlive its expiry', () => {
    const overridden = { state: 'live', overrideExpiresAt: NOW } as const;
    const loosened = ['minClosedTrades 0 (default 30)'];
    expect(nextLifecycle(overridden, green, null, { ...at, loosened })).toEqual({
      state: 'shadow',
      reason: 'override_expired',
      detail: `the override expired ${new Date(NOW).toISOString()} and the gate is not all green`,
    });
    // Before the expiry it stays live, the override still counting down.
    expect(nextLifecycle(overridden, green, null, { now: NOW - 1, loosened })).toEqual({
      state: 'live',
      reason: 'live_healthy',
      detail: 'live performance within limits',
      overrideExpiresAt: NOW,
    });
  });

  it('reviews without a gate verdict (a service) by demoting at the override expiry', () => {
    expect(reviewLive({ overrideExpiresAt: NOW }, null, { now: NOW, gateGreen: null })).toMatchObject({
      state: 'shadow',
      reason: 'override_expired',
    });
    expect(reviewLive({}, null, { now: NOW, gateGreen: null })).toMatchObject({ state: 'live' });
  });
});

describe('liveResults', () => {
  it('counts only trades closed since going live, drawdown from the equity then', () => {
    const trades = [
      { pnl: -500, closeTime: START - 1 },
      { pnl: 100, closeTime: START },
      { pnl: -300, closeTime: START + DAY },
    ];
    expect(liveResults(trades, START, 1000)).toEqual({
      trades: 2,
      expectancy: -100,
      drawdownPct: (300 / 1100) * 100,
    });
    expect(liveResults([], START, 1000)).toEqual({ trades: 0, expectancy: null, drawdownPct: 0 });
  });

  it('demotes a live strategy whose open position has lost the drawdown limit, though no trade closed', () => {
    const recent = liveResults([], START, 10_000, -1_600);
    expect(recent).toEqual({ trades: 0, expectancy: null, drawdownPct: 16 });
    expect(reviewLive({}, recent, { now: START + 40 * DAY, gateGreen: null })).toMatchObject({
      state: 'shadow',
      reason: 'live_drawdown',
    });
  });

  it('measures an open loss from the peak its closed trades reached', () => {
    const trades = [{ pnl: 1_000, closeTime: START + DAY }];
    expect(liveResults(trades, START, 10_000, -1_100).drawdownPct).toBeCloseTo(10, 12);
  });
});

describe('liveEntryRefusal', () => {
  const lifecycle = (state: 'live' | 'shadow') => ({ state, reason: 'r', detail: 'd', since: 1 });
  const lifecycles = new Map([
    ['trend_pullback', lifecycle('live')],
    ['breakout', lifecycle('shadow')],
    ['mean_reversion', lifecycle('live')],
  ]);

  it('allows a listed strategy that is live, and only that', () => {
    const listed = ['trend_pullback', 'breakout', 'momentum'];
    expect(liveEntryRefusal('trend_pullback', listed, lifecycles, 0)).toBeNull();
    expect(liveEntryRefusal('mean_reversion', listed, lifecycles, 0)).toMatchObject({
      strategy: 'mean_reversion',
      reason: 'not_listed',
    });
    expect(liveEntryRefusal('breakout', listed, lifecycles, 0)?.reason).toBe('in_shadow');
    expect(liveEntryRefusal('momentum', listed, lifecycles, 0)?.reason).toBe('never_judged');
  });
});

describe('looserThresholds', () => {
  it('names each gating threshold less demanding than its default, and nothing for the defaults', () => {
    expect(looserThresholds(T)).toEqual([]);
    const t = ReadinessThresholds.parse({
      minClosedTrades: 0,
      maxDrawdownPct: 20,
      minUptimePct: 99.5,
      targetSharpe: 0,
      minPaperDays: 45,
    });
    expect(looserThresholds(t)).toEqual([
      { name: 'minClosedTrades', value: 0, default: 30 },
      { name: 'maxDrawdownPct', value: 20, default: 15 },
    ]);
  });

  it('promotes a green strategy judged under them as green_loosened, naming them', () => {
    const green = evaluateReadiness(GREEN, T);
    expect(
      nextLifecycle({ state: 'shadow' }, green, null, {
        now: 0,
        loosened: ['minClosedTrades 0 (default 30)'],
      }),
    ).toEqual({
      state: 'live',
      reason: 'green_loosened',
      detail:
        'every criterion is green under a gate looser than the defaults: minClosedTrades 0 (default 30)',
    });
  });
});
