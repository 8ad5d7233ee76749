import { describe, expect, it } from 'vitest';
import { publicResults } from './public-results';

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 2, 10, 12);

const trade = (pnl: number, closeTime: number) => ({
  tradeKey: `k-${closeTime}`,
  strategy: 'trend_pullback',
  exchange: 'binance',
  symbol: 'BTC-USDT',
  pnl,
  fees: 0.5,
  closeTime,
});

describe('public results', () => {
  it('publishes empty figures before the first closed trade', () => {
    expect(publicResults([], NOW)).toEqual({
      computedAt: NOW,
      metrics: {
        net_pnl: 0,
        trades: 0,
        win_rate: 0,
        avg_win: 0,
        avg_loss: 0,
        expectancy: 0,
        profit_factor: null,
        fees: 0,
        max_drawdown: 0,
        sharpe: null,
        sortino: null,
        winning_days: 0,
        losing_days: 0,
        best_day: null,
        worst_day: null,
      },
      daily: [],
      curve: [],
      trades: [],
    });
  });

  it('counts a trade with pnl exactly 0 as neither a win nor a loss, as the backtest does', () => {
    const r = publicResults([trade(30, NOW - 2), trade(-10, NOW - 1), trade(0, NOW)], NOW);
    expect(r.metrics).toMatchObject({ avg_win: 30, avg_loss: -10, profit_factor: 3, trades: 3 });
    expect(r.metrics.win_rate).toBeCloseTo(1 / 3, 12);
  });

  it('counts a day without trades as a flat day, leaves out trades closed after the computation, and keeps no trade key', () => {
    const r = publicResults([trade(10, NOW - 2 * DAY), trade(-4, NOW), trade(99, NOW + 1)], NOW);
    expect(r.daily.map((d) => [d.day, d.pnl, d.trades])).toEqual([
      [Date.UTC(2024, 2, 8), 10, 1],
      [Date.UTC(2024, 2, 9), 0, 0],
      [Date.UTC(2024, 2, 10), -4, 1],
    ]);
    expect(r.metrics).toMatchObject({
      net_pnl: 6,
      trades: 2,
      max_drawdown: 4,
      winning_days: 1,
      losing_days: 1,
    });
    expect(r.curve).toEqual([
      { time: Date.UTC(2024, 2, 8), pnl: 0 },
      { time: NOW - 2 * DAY, pnl: 10 },
      { time: NOW, pnl: 6 },
    ]);
    expect(Object.keys(r.trades[0] ?? {}).sort()).toEqual(['closeTime', 'fees', 'pnl', 'strategy', 'symbol']);
  });
});
