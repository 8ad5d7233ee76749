import { join } from 'node:path';
import { sharedDataDir } from '@ballast/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestConfigInput } from './backtest-config';
import type { BacktestResult } from './backtest-result';
import { runBacktest } from './run-backtest';

// Real Binance spot BTCUSDT 1h candles, January to March 2021: the daily trend (warm from late February)
// rises throughout, so shorts the 4h trend lets through are against the 1d one.
const file = join(sharedDataDir(), 'binance-spot-ohlcv', 'BTCUSDT-1h.csv.gz');
const run = (config: BacktestConfigInput, to = Date.UTC(2021, 3, 1)) =>
  runBacktest({ files: [file], timeframe: '1h', from: Date.UTC(2021, 0, 1), to, seed: 7, config });

const HOUR_VETO = 'veto:negative_hour_expectancy';
const HTF_VETO = 'veto:higher_timeframe_disagrees';
/** Every UTC hour lost money for trend_pullback over 30 trades, as a live table could say. */
const LOSING_TREND_PULLBACK = Array.from({ length: 24 }, (_, hourUtc) => ({
  strategy: 'trend_pullback',
  hourUtc,
  trades: 30,
  expectancy: -1,
}));

const vetoedBy = (result: BacktestResult, outcome: string) =>
  result.decisions
    .filter((d) => d.outcome === outcome)
    .map((d) => `${d.time}|${d.symbol}|${d.strategy}|${d.side}`);

describe('a backtest runs the signals settings live can be given', () => {
  let defaults: BacktestResult;

  beforeAll(async () => {
    defaults = await run({});
  }, 120_000);

  it('confirms entries against every timeframe in confirmTimeframes (SIGNALS_CONFIRM_TIMEFRAMES)', async () => {
    const confirmed = await run({ confirmTimeframes: ['4h', '1d'] });
    const byDefault = vetoedBy(defaults, HTF_VETO);
    const byBoth = vetoedBy(confirmed, HTF_VETO);
    expect(byDefault.length).toBeGreaterThan(0);
    expect(byBoth).toEqual(expect.arrayContaining(byDefault));
    expect(byBoth.length).toBeGreaterThan(byDefault.length);
  }, 120_000);

  it('vetoes a strategy’s entries in hours its hourStats snapshot says lose money', async () => {
    const approvedTrendPullback = (r: BacktestResult) =>
      r.decisions.filter((d) => d.strategy === 'trend_pullback' && d.outcome === 'approved');
    expect(approvedTrendPullback(defaults).length).toBeGreaterThan(0);
    expect(vetoedBy(defaults, HOUR_VETO)).toEqual([]);
    const seeded = await run({ hourStats: LOSING_TREND_PULLBACK });
    expect(approvedTrendPullback(seeded)).toEqual([]);
    const hourVetoes = seeded.decisions.filter((d) => d.outcome === HOUR_VETO);
    expect(hourVetoes.length).toBeGreaterThan(0);
    expect(new Set(hourVetoes.map((d) => d.strategy))).toEqual(new Set(['trend_pullback']));
  }, 120_000);

  it('vetoes every candidate of a symbol in excludedSymbols (SIGNALS_EXCLUDED_SYMBOLS)', async () => {
    const excluded = await run({ excludedSymbols: ['BTC-USDT'] }, Date.UTC(2021, 1, 1));
    expect(excluded.decisions.length).toBeGreaterThan(0);
    expect(new Set(excluded.decisions.map((d) => d.outcome))).toEqual(new Set(['veto:excluded_symbol']));
    expect(excluded.trades).toEqual([]);
  }, 120_000);

  it('refuses an hourStats snapshot with two rows for one strategy and hour', async () => {
    const row = { strategy: 'trend_pullback', hourUtc: 8, trades: 30, expectancy: -1 };
    const twice = [row, row];
    await expect(run({ hourStats: twice })).rejects.toThrow(/hourStats: one row per strategy and hour/);
  });
});
