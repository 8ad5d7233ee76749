import { join } from 'node:path';
import type { FeatureVector } from '@ballast/contracts';
import { sharedDataDir, vectorDifferences } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { type RunBacktestOptions, runBacktest } from './run-backtest';

// Real Binance spot 1h candles: BTCUSDT from its first bar (2017-08-17) to 2019-01-02. From 2019-01-01
// more than the 9,528-bar warm-up budget lies before `from`, so the warm run does not see the file's start
// and equals the whole run only if the budget converges.
const data = join(sharedDataDir(), 'binance-spot-ohlcv');
const FROM = Date.UTC(2019, 0, 1);
const options: RunBacktestOptions = {
  files: [join(data, 'BTCUSDT-1h.csv.gz')],
  timeframe: '1h',
  to: FROM + 24 * 3_600_000,
  seed: 7,
  config: {
    exchangeInfoFile: join(sharedDataDir(), 'binance-rest', '2021-10-12_spot_api-v3-exchangeInfo.json.gz'),
  },
};

async function vectorsOf(run: RunBacktestOptions): Promise<FeatureVector[]> {
  const vectors: FeatureVector[] = [];
  await runBacktest({ ...run, onFeatures: (v) => vectors.push(v) });
  return vectors;
}

describe('a backtest with --from starts warm, from the history before it (BTCUSDT-1h)', () => {
  it('publishes a vector for the first bar at `from`, equal to that of a run from the start of the data', async () => {
    const whole = await vectorsOf(options);
    const fromLater = await vectorsOf({ ...options, from: FROM });
    expect(fromLater[0]?.openTime).toBe(FROM);
    const expected = whole.filter((v) => v.openTime >= FROM);
    expect(fromLater.map((v) => v.openTime)).toEqual(expected.map((v) => v.openTime));
    expect(fromLater.flatMap((v, i) => vectorDifferences(expected[i]!, v))).toEqual([]);
  }, 600_000);
});
