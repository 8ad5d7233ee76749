import { describe, expect, it } from 'vitest';
import type { BacktestResult, BacktestTrade, EquityPoint } from './backtest-result';
import { computeMetrics } from './metrics';
import { symbolSummaries } from './symbol-summary';

const HOUR = 3_600_000;
const T0 = Date.UTC(2022, 0, 1);

function trade(symbol: string, hour: number, pnl: number): BacktestTrade {
  return {
    symbol,
    side: 'long',
    strategy: 'trend_pullback',
    entry_time: T0 + (hour - 1) * HOUR,
    exit_time: T0 + hour * HOUR,
    qty: 1,
    entry_price: 100,
    exit_price: 100,
    fees: 0,
    pnl,
    exit_reason: 'stop',
  };
}

function result(symbols: string[], trades: BacktestTrade[], equity: number[]): BacktestResult {
  const curve: EquityPoint[] = equity.map((e, i) => ({ time: T0 + i * HOUR, equity: e, exposed: i > 0 }));
  return {
    meta: {
      symbols,
      timeframe: '1h',
      from: T0,
      to: T0 + equity.length * HOUR,
      candles: equity.length,
      seed: 1,
      initial_equity: 10_000,
      fill_model: '',
      market_rules: {},
    },
    trades,
    equity: curve,
    decisions: [],
    metrics: computeMetrics(trades, curve, 10_000, HOUR),
  };
}

describe('symbolSummaries', () => {
  it('measures every row, TOTAL included, on realised pnl: a dip while a position was open counts in none', () => {
    // The marked curve fell 10 % while BTC's position was open and recovered; the trade closed at 0.
    const out = result(['BTC-USDT'], [trade('BTC-USDT', 4, 0)], [10_000, 9_500, 9_000, 9_500, 10_000]);
    expect(out.metrics.max_drawdown_pct).toBeCloseTo(10, 10);
    expect(symbolSummaries(out).map((r) => [r.symbol, r.realised_dd_pct])).toEqual([
      ['BTC-USDT', 0],
      ['TOTAL', 0],
    ]);
  });

  it('gives TOTAL the fall of every trade together, in the order they closed, in percent of starting equity', () => {
    const trades = [
      trade('BTC-USDT', 1, 200),
      trade('ETH-USDT', 2, -150),
      trade('BTC-USDT', 3, -100),
      trade('ETH-USDT', 4, 50),
    ];
    const out = result(['BTC-USDT', 'ETH-USDT'], trades, [10_000, 10_200, 10_050, 9_950, 10_000]);
    expect(symbolSummaries(out).map((r) => [r.symbol, r.trades, r.net_pnl, r.realised_dd_pct])).toEqual([
      ['BTC-USDT', 2, 100, 1],
      ['ETH-USDT', 2, -100, 1.5],
      // 200, 50, −50, 0: 250 below the peak of 200.
      ['TOTAL', 4, 0, 2.5],
    ]);
  });
});
