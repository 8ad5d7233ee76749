import { join } from 'node:path';
import { StrategyHourStatsRepository } from '@ballast/db';
import { sharedDataDir } from '@ballast/testkit';
import { describe, expect, it, vi } from 'vitest';
import { runBacktest } from './run-backtest';

// Real Binance spot 1h candles: BTCUSDT, January to March 2021.
const file = join(sharedDataDir(), 'binance-spot-ohlcv', 'BTCUSDT-1h.csv.gz');

describe('the hour expectancy table in a run', () => {
  it('is read once at start, not again after each of the run’s closed trades', async () => {
    const reads = vi.spyOn(StrategyHourStatsRepository.prototype, 'all');
    try {
      const result = await runBacktest({
        files: [file],
        timeframe: '1h',
        from: Date.UTC(2021, 0, 1),
        to: Date.UTC(2021, 3, 1),
        seed: 7,
      });
      expect(result.trades.length).toBeGreaterThan(3);
      expect(reads).toHaveBeenCalledTimes(1);
    } finally {
      reads.mockRestore();
    }
  }, 120_000);
});
