import { join } from 'node:path';
import { TIMEFRAME_MS } from '@ballast/contracts';
import { sharedDataDir } from '@ballast/testkit';
import { expect, it } from 'vitest';
import { runBacktest } from './run-backtest';

// Real Binance spot 1h candles; SOLUSDT trades only from 2020-08-11 and its vectors come 200 bars later
// (its warm-up), so every cycle of July and August 2020 misses SOL and is ranked at its deadline.
const data = join(sharedDataDir(), 'binance-spot-ohlcv');
const HOUR = TIMEFRAME_MS['1h'];
const GRACE_MS = 30_000;

it('enters a cycle missing a symbol at close + grace, on its own bar, as live does (not a bar later)', async () => {
  const result = await runBacktest({
    files: [join(data, 'BTCUSDT-1h.csv.gz'), join(data, 'SOLUSDT-1h.csv.gz')],
    timeframe: '1h',
    from: Date.UTC(2020, 6, 1),
    to: Date.UTC(2020, 7, 19),
    seed: 7,
    config: {
      exchangeInfoFile: join(sharedDataDir(), 'binance-rest', '2021-10-12_spot_api-v3-exchangeInfo.json.gz'),
    },
  });
  expect(result.trades.length).toBeGreaterThan(0);
  // Filled when the grace after its bar's close ran out, not as the next bar closes (on the hour).
  for (const trade of result.trades) expect(trade.entry_time % HOUR).toBe(GRACE_MS);
}, 300_000);
