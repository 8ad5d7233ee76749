import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { candleWindowDir, recordedKlines, sharedDataDir } from '@ballast/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { BacktestError } from './backtest-error';
import { replaySteps } from './replay-steps';
import { runBacktest } from './run-backtest';

// Real Binance spot BTCUSDT 1h candles: the recorded file, and a window of it (December 2021) written
// as a monthly download beside it would be. The same bars twice made the first copy's "next bar" its
// own duplicate: the 2021-10-06 11:00 signal filled at that bar's own open (51,160.35 + 5 bps), not
// at the next bar's (51,306.57), and the run reported 6 trades instead of 18, with no warning.
const RECORDED = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';
const yearly = join(sharedDataDir(), RECORDED);
const december = candleWindowDir(RECORDED, Date.UTC(2021, 11, 1), Date.UTC(2022, 0, 1));
const monthly = join(december.dir, december.file);
afterAll(() => rmSync(december.dir, { recursive: true, force: true }));

const run = (files: string[]) =>
  runBacktest({
    files,
    timeframe: '1h',
    from: Date.UTC(2021, 9, 1),
    to: Date.UTC(2022, 0, 1),
    seed: 1,
    config: { agents: 'none' },
  });

async function refusal(files: string[]): Promise<BacktestError> {
  const err = await run(files).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BacktestError);
  return err as BacktestError;
}

describe('candle files holding a bar twice', () => {
  it('refuses the same file given twice, naming it and the first repeated bar', async () => {
    const err = await refusal([yearly, yearly]);
    expect(err.reason).toBe('bad_input');
    expect(err.message).toBe(
      `the candle files overlap: BTC-USDT: the bar opening 2021-10-01T00:00:00.000Z (${Date.UTC(2021, 9, 1)}) ` +
        `is in ${yearly} and in ${yearly} (2208 repeated bars); a run replays each bar once: drop the ` +
        'overlapping file or trim its range',
    );
  });

  it('refuses a monthly file overlapping the yearly one, naming both and where they start to overlap', async () => {
    const err = await refusal([yearly, monthly]);
    expect(err.reason).toBe('bad_input');
    expect(err.message).toContain(
      `BTC-USDT: the bar opening 2021-12-01T00:00:00.000Z (${Date.UTC(2021, 11, 1)}) is in ${yearly} and in ${monthly} (744 repeated bars)`,
    );
  });

  it('is refused by the replay too, whatever loaded it: the first copy would fill at its own open', () => {
    const [c0, c1] = recordedKlines('BTCUSDT', '1h', 2);
    expect(() => replaySteps([c0!, { ...c0! }, c1!])).toThrow(
      new BacktestError('bad_input', 'BTC-USDT: the bar opening 2017-08-17T04:00:00.000Z is given twice'),
    );
  });
});
