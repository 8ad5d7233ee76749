import {
  applyClosedTrade,
  applyEntryFill,
  applyEquityMark,
  DEFAULT_RISK_LIMITS,
  engageKillSwitch,
  initialRiskState,
  type RiskState,
} from '@ballast/core';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { riskFigures, utcWeekStart } from './risk-figures';
import { RiskMetrics } from './risk-metrics';

// Wednesday 2024-03-13 10:00 UTC; its week started Monday 2024-03-11 00:00 UTC.
const now = Date.UTC(2024, 2, 13, 10);
const limits = DEFAULT_RISK_LIMITS;

function state(): RiskState {
  let s = initialRiskState(10_000, Date.UTC(2024, 2, 13, 0));
  s = applyEntryFill(s, {
    positionId: 'binance:BTC-USDT',
    exchange: 'binance',
    symbol: 'BTC-USDT',
    side: 'long',
    qty: 0.02,
    price: 60_000,
    stop: 59_000,
    strategy: 'trend',
  });
  s = applyEquityMark(s, { equity: 9_400, time: now - 1_000 }, limits);
  s = applyClosedTrade(s, { pnl: -50, fees: 0, closeTime: now - 120_000 });
  s = applyClosedTrade(s, { pnl: -30, fees: 0, closeTime: now - 60_000 });
  return engageKillSwitch(s, { reason: 'test', at: now });
}

const trades = [
  { pnl: 200, fees: 0, closeTime: Date.UTC(2024, 2, 11, 9) }, // Monday: this week, not today
  { pnl: 500, fees: 0, closeTime: Date.UTC(2024, 2, 8, 9) }, // last week
  { pnl: -50, fees: 0, closeTime: now - 120_000 },
  { pnl: -30, fees: 0, closeTime: now - 60_000 },
];

describe('risk figures', () => {
  it('start the week on Monday 00:00 UTC', () => {
    expect(utcWeekStart(now)).toBe(Date.UTC(2024, 2, 11));
    expect(utcWeekStart(Date.UTC(2024, 2, 17, 23))).toBe(Date.UTC(2024, 2, 11));
    expect(utcWeekStart(Date.UTC(2024, 2, 18))).toBe(Date.UTC(2024, 2, 18));
  });

  it('derive equity, P&L windows, limit use, halts and the loss-streak pause from the state', () => {
    const f = riskFigures(state(), limits, trades, now);
    expect(f.equity).toBe(9_400);
    expect(f.peakEquity).toBe(10_000);
    expect(f.drawdownRatio).toBeCloseTo(0.06, 12);
    expect(f.dailyLoss).toBe(600);
    expect(f.pnlToday).toBe(-80);
    expect(f.pnlWeek).toBe(120);
    expect(f.openPositions).toBe(1);
    expect(f.positions).toEqual([
      { exchange: 'binance', symbol: 'BTC-USDT', side: 'long', notional: 1_200, risk: 20 },
    ]);
    // 1200 of 0.5 × 9400; 20 of 0.06 × 9400; 1 of 5; 600 of 0.05 × 10000; 600 of 0.15 × 10000.
    expect(f.limitUsed.max_exposure).toBeCloseTo(1_200 / 4_700, 12);
    expect(f.limitUsed.max_open_risk).toBeCloseTo(20 / 564, 12);
    expect(f.limitUsed.max_open_positions).toBe(0.2);
    expect(f.limitUsed.daily_loss).toBeCloseTo(1.2, 12);
    expect(f.limitUsed.max_drawdown).toBeCloseTo(0.4, 12);
    expect(f.halts).toEqual({ daily_loss: true, drawdown: false, loss_streak: true });
    expect(f.lossStreak).toBe(2);
    // Two losses pause 2 h from the last loss, which closed a minute ago.
    expect(f.pauseRemainingSeconds).toBe(2 * 3600 - 60);
    expect(f.killEngaged).toBe(true);
  });

  it('count entries approved and not filled yet in the limits they will use, as the limits do', () => {
    // A long of 0.05 ETH-USDT at 3,000 (stop 2,900) approved, its order not filled yet.
    const pending = {
      intentId: 'intent-1',
      strategy: 'trend',
      exchange: 'binance',
      symbol: 'ETH-USDT',
      side: 'long' as const,
      qty: 0.05,
      entry: 3_000,
      stop: 2_900,
      expiresAt: now + 300_000,
      settled: [],
    };
    const f = riskFigures({ ...state(), pending: [pending] }, limits, trades, now);
    // 1200 held + 150 pending of 0.5 × 9400; 20 + 5 of 0.06 × 9400; 2 markets of 5.
    expect(f.limitUsed.max_exposure).toBeCloseTo(1_350 / 4_700, 12);
    expect(f.limitUsed.max_open_risk).toBeCloseTo(25 / 564, 12);
    expect(f.limitUsed.max_open_positions).toBe(0.4);
    expect(f.openPositions).toBe(1);
  });

  it('report no pause once it has run out and no daily halt on the next UTC day', () => {
    const later = now + 86_400_000;
    const f = riskFigures(state(), limits, trades, later);
    expect(f.halts).toEqual({ daily_loss: false, drawdown: false, loss_streak: false });
    expect(f.pauseRemainingSeconds).toBe(0);
    expect(f.pnlToday).toBe(0);
  });
});

describe('RiskMetrics', () => {
  it('exports the current figures at scrape time and counts decisions by reason', async () => {
    const registry = new Registry();
    let current: RiskState | undefined;
    const metrics = new RiskMetrics(registry, () =>
      current ? riskFigures(current, limits, trades, now) : undefined,
    );
    // Before start no per-position or labelled figure exists yet.
    expect(await registry.metrics()).not.toContain('ballast_risk_halted{');
    current = state();
    metrics.decided({ ok: true });
    metrics.decided({ ok: false, reason: 'loss_streak' });
    metrics.decided({ ok: false, reason: 'loss_streak' });
    metrics.decided({ ok: false, reason: 'market_held' });
    const text = await registry.metrics();
    expect(text).toContain('ballast_risk_equity_quote 9400');
    expect(text).toContain('ballast_control_kill_engaged 1');
    expect(text).toContain('ballast_risk_realised_pnl_quote{window="week"} 120');
    expect(text).toContain('ballast_risk_halted{halt="loss_streak"} 1');
    expect(text).toContain('ballast_risk_halted{halt="drawdown"} 0');
    expect(text).toContain('ballast_risk_limit_used_ratio{limit="max_open_positions"} 0.2');
    expect(text).toContain(
      'ballast_risk_position_risk_quote{exchange="binance",symbol="BTC-USDT",side="long"} 20',
    );
    expect(text).toContain('ballast_risk_decisions_total{outcome="approved",reason="none"} 1');
    expect(text).toContain('ballast_risk_decisions_total{outcome="denied",reason="loss_streak"} 2');
    expect(text).toContain('ballast_risk_decisions_total{outcome="denied",reason="max_exposure"} 0');
    expect(text).toContain('ballast_risk_decisions_total{outcome="denied",reason="market_held"} 1');
    // A closed position disappears from the per-position series.
    current = { ...current, positions: [] };
    expect(await registry.metrics()).not.toContain('ballast_risk_position_risk_quote{');
  });
});
