import { join } from 'node:path';
import type { StopEvent } from '@ballast/contracts';
import { sharedDataDir } from '@ballast/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from './backtest-result';
import { runBacktest } from './run-backtest';

// Real Binance SOLUSDT 4h candles (binance-spot-ohlcv/SOLUSDT-4h.csv), 2020-12-20 → 2021-01-30, on the
// backtest's fallback 1e-8 lot. On 2021-01-26 20:00 an add takes the position to 278.11016167 SOL:
// 27,811,016,167 lots, a count whose float division by the lot carries noise. The stop for it was once
// refused as off the lot grid, and the position flattened as if the venue had refused its stop.
const window = { from: Date.UTC(2020, 11, 20), to: Date.UTC(2021, 0, 30) };
type TimedStopEvent = StopEvent & { time: number };
const events: TimedStopEvent[] = [];
let result: BacktestResult;

beforeAll(async () => {
  result = await runBacktest({
    files: [join(sharedDataDir(), 'binance-spot-ohlcv', 'SOLUSDT-4h.csv')],
    timeframe: '4h',
    ...window,
    seed: 1,
    onStopEvent: (e, time) => events.push({ ...e, time }),
  });
}, 120_000);

describe('a stop for a position of billions of lots (real SOL 4h)', () => {
  it('is placed and verified for the grown position, not refused and flattened', () => {
    expect(events.filter((e) => e.kind === 'failed' || e.kind === 'flattened')).toEqual([]);
    const grown = events.filter((e) => e.qty === 278.11016167).map((e) => e.kind);
    // Cancelled when the end-of-data close takes the position.
    expect(grown).toEqual(['placed', 'verified', 'cancelled']);
  });

  it('keeps the position open to the end of the window', () => {
    expect(result.trades.map((t) => [t.qty, t.exit_reason])).toEqual([[278.11016168, 'end_of_data']]);
  });
});
