import { join } from 'node:path';
import { sharedDataDir } from '@ballast/testkit';
import { expect, it } from 'vitest';
import { runBacktest } from './run-backtest';

// Real Binance spot BTCUSDT, ETHUSDT and SOLUSDT 1h candles, 1–5 January 2021: ETH is bought on
// 4 January 13:00 and 20:00 and still held after the last bar, its stop-limit resting for all of it (its
// third signal, at 5 January 00:00, the last close, is denied: no later bar to fill it at). A spot stop-limit locks the coins it covers: the end-of-data sell
// was refused (insufficient_funds) and the position left out of the trade list.
const data = join(sharedDataDir(), 'binance-spot-ohlcv');

it('closes a position still open after the last bar although its stop-limit locks the coins', {
  timeout: 120_000,
}, async () => {
  const result = await runBacktest({
    files: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'].map((s) => join(data, `${s}-1h.csv.gz`)),
    timeframe: '1h',
    from: Date.UTC(2021, 0, 1),
    to: Date.UTC(2021, 0, 5),
    seed: 1,
    config: {
      agents: 'rules',
      exchangeInfoFile: join(sharedDataDir(), 'binance-rest', '2021-10-12_spot_api-v3-exchangeInfo.json.gz'),
    },
  });
  const end = result.trades.filter((t) => t.exit_reason === 'end_of_data');
  expect(end.map((t) => ({ symbol: t.symbol, entry_time: t.entry_time, exit_qty: t.exit_qty }))).toEqual([
    // Bought 0.598 in two buys sized on equity marked at the book (ADR 19), each within its risk budget
    // after the taker fees and the stop-limit's worst fill, and each less its 0.1 % fee in ETH: 0.5974 held
    // (0.597402), sold to the lot step (0.0001).
    { symbol: 'ETH-USDT', entry_time: Date.UTC(2021, 0, 4, 13), exit_qty: 0.5974 },
  ]);
  expect(end[0]!.exit_time).toBe(Date.UTC(2021, 0, 5) + 30_000);
});
