import type { FeatureVector, SignalCandidate } from '@ballast/contracts';
import { recordedKlines, stillBarsAfter } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { FeatureEngine } from '../context';
import { defaultStrategies } from './default-strategies';
import { SignalEngine } from './signal-engine';
import { StrategiesConfig } from './strategy-config';
import { VetoConfig } from './veto-config';

describe('a market that stops trading proposes nothing while it is still', () => {
  // Real Binance spot BTCUSDT 1h candles (the first 8,000 recorded, to 2018-07), then 400 hours that traded
  // nothing: the recording has no such stretch (one zero-volume hour at most), so those are made from its
  // last close. A halted or abandoned market prints exactly these.
  const traded = recordedKlines('BTCUSDT', '1h', 8_000);
  const last = traded.at(-1)!;
  const idle = stillBarsAfter(last, 400);
  const features = new FeatureEngine();
  const signals = new SignalEngine({
    strategies: defaultStrategies(StrategiesConfig.parse({})),
    vetoes: VetoConfig.parse({}),
  });
  for (const c of traded) {
    const v = features.onCandle(c);
    if (v) signals.onFeatures(v);
  }
  const still: Array<{ vector: FeatureVector; candidates: SignalCandidate[] }> = [];
  for (const c of idle) {
    const vector = features.onCandle(c)!;
    still.push({ vector, candidates: signals.onFeatures(vector) });
  }

  it('keeps RSI where the last move left it: the averages only decay, together', () => {
    const rsi = still.map((s) => s.vector.indicators.rsi14!);
    expect(rsi[0]).toBeGreaterThan(30);
    // It fell from 50.5 to 0 (oversold) at the 302nd still hour, when the averages passed 1e-12 of the price.
    expect(rsi.every((v) => Math.abs(v - rsi[0]!) < 1e-9)).toBe(true);
  });

  it('gives mean reversion no oversold fade: there was a long at the 302nd still hour, its stop 4e-8 below entry', () => {
    expect(still.flatMap((s) => s.candidates)).toEqual([]);
  });
});
