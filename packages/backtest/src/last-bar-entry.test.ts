import { join } from 'node:path';
import { sharedDataDir } from '@ballast/testkit';
import { expect, it } from 'vitest';
import { runBacktest } from './run-backtest';

// Real Binance spot BTCUSDT 1h candles, 2021-10-01 to 2021-10-06 12:00 (exclusive): trend_pullback
// signals long at the close of the last bar (11:00, closing at 12:00). No later bar exists to fill it
// at; it was bought at that close and sold at the same price by the end-of-data close: a trade that
// lost exactly its slippage and fees (−4.51) and that live never makes.
const data = join(sharedDataDir(), 'binance-spot-ohlcv');
const END = Date.UTC(2021, 9, 6, 12);

it('takes no entry on the last bar of a market: there is no next bar to fill it at', {
  timeout: 300_000,
}, async () => {
  const result = await runBacktest({
    files: [join(data, 'BTCUSDT-1h.csv.gz')],
    timeframe: '1h',
    from: Date.UTC(2021, 9, 1),
    to: END,
    seed: 1,
    config: { agents: 'none' },
  });
  expect(result.meta.to).toBe(END);
  expect(result.trades.filter((t) => t.entry_time >= END)).toEqual([]);
  expect(result.trades.filter((t) => t.exit_reason === 'end_of_data')).toEqual([]);
  // The signal is still decided and recorded: risk denies it as on a market whose feed is down.
  expect(
    result.decisions.filter((d) => d.time >= END).map((d) => ({ strategy: d.strategy, outcome: d.outcome })),
  ).toEqual([{ strategy: 'trend_pullback', outcome: 'denied:stale_data' }]);
});
