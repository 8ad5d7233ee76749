import { describe, expect, it } from 'vitest';
import type { BacktestTrade, EquityPoint } from './backtest-result';
import { computeMetrics } from './metrics';

const HOUR = 3_600_000;
const T0 = Date.UTC(2021, 0, 1);

/** Only the times matter to exposure: a break-even long of one coin. */
const trade = (entry: number, exit: number, symbol = 'BTC-USDT'): BacktestTrade => ({
  ...{ symbol, side: 'long', strategy: null, qty: 1, entry_price: 100, exit_price: 100 },
  ...{ entry_time: entry, exit_time: exit, fees: 0, pnl: 0, exit_reason: 'stop' },
});

/** A curve as runBacktest stamps it: the first open, then one point per step close; flags after each step. */
const curve = (exposed: boolean[]): EquityPoint[] => [
  { time: T0, equity: 1000, exposed: false },
  ...exposed.map((e, i) => ({ time: T0 + (i + 1) * HOUR, equity: 1000, exposed: e })),
];

describe('computeMetrics exposure_pct', () => {
  it('counts the time a trade was held, the step it exited in and the end-of-data close included', () => {
    // Entered at the first step's close, held to the end-of-data close after the fourth: 3 of 4 hours.
    const m = computeMetrics(
      [trade(T0 + HOUR, T0 + 4 * HOUR + 5)],
      curve([true, true, true, false]),
      1000,
      HOUR,
    );
    expect(m.exposure_pct).toBe(75);
  });

  it('counts a trade opened and closed inside one step, which no step-end flag saw', () => {
    const m = computeMetrics(
      [trade(T0 + HOUR, T0 + HOUR + HOUR / 2)],
      curve([false, false, false, false]),
      1000,
      HOUR,
    );
    expect(m.exposure_pct).toBe(12.5);
  });

  it('counts overlapping trades in two markets once', () => {
    const m = computeMetrics(
      [trade(T0, T0 + 2 * HOUR), trade(T0 + HOUR, T0 + 3 * HOUR, 'ETH-USDT')],
      curve([true, true, true, false]),
      1000,
      HOUR,
    );
    expect(m.exposure_pct).toBe(75);
  });
});

describe('computeMetrics wins and losses', () => {
  const closed = (pnl: number): BacktestTrade => ({ ...trade(T0, T0 + HOUR), pnl });

  it('counts a trade with pnl exactly 0 as neither a win nor a loss', () => {
    const m = computeMetrics([closed(30), closed(-10), closed(0)], curve([false]), 1000, HOUR);
    expect(m.avg_loss).toBe(-10);
    expect(m.avg_win).toBe(30);
    expect(m.win_rate).toBeCloseTo(1 / 3, 12);
    expect(m.profit_factor).toBe(3);
  });

  it('tells a run with only wins from one with no trades, though neither has a profit factor', () => {
    const onlyWins = computeMetrics([closed(30), closed(0)], curve([false]), 1000, HOUR);
    const none = computeMetrics([], curve([false]), 1000, HOUR);
    expect(onlyWins).toMatchObject({ profit_factor: null, gross_profit: 30, gross_loss: 0, avg_loss: 0 });
    expect(none).toMatchObject({ profit_factor: null, gross_profit: 0, gross_loss: 0 });
  });
});
