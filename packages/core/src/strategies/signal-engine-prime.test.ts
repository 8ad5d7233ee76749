import type { Candle, FeatureVector, SignalCandidate } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { FeatureEngine } from '../context';
import { parseBinanceKlineCsv } from '../market';
import { defaultStrategies } from './default-strategies';
import { SignalEngine } from './signal-engine';
import { StrategiesConfig } from './strategy-config';
import { VetoConfig } from './veto-config';

// Recorded Binance BTCUSDT 1h candles (binance-spot-ohlcv/BTCUSDT-1h.csv.gz), made into vectors.
const candles: Candle[] = parseBinanceKlineCsv(readDataFile('binance-spot-ohlcv/BTCUSDT-1h.csv.gz'), {
  exchange: 'binance',
  symbol: 'BTC-USDT',
  timeframe: '1h',
}).candles.slice(0, 800);
const features = new FeatureEngine();
const vectors = candles.map((c) => features.onCandle(c)).filter((v): v is FeatureVector => v !== null);

const engine = () =>
  new SignalEngine({
    strategies: defaultStrategies(StrategiesConfig.parse({})),
    vetoes: VetoConfig.parse({}),
  });

/** The first bar, past a full history, at which an uninterrupted engine proposes; with what it proposes. */
function firstProposing(): { at: number; proposed: SignalCandidate[] } {
  const uninterrupted = engine();
  for (const [at, v] of vectors.entries()) {
    const proposed = uninterrupted.onFeatures(v);
    if (at > 20 && proposed.length > 0) return { at, proposed };
  }
  throw new Error('no recorded bar proposes');
}

describe('SignalEngine.prime', () => {
  const { at, proposed } = firstProposing();

  it('reads the first bar after a restart with the primed bars before it, as without the restart', () => {
    const restarted = engine();
    expect(restarted.onFeatures(vectors[at] as FeatureVector)).toEqual([]);
    const primed = engine();
    primed.prime(vectors.slice(0, at));
    expect(primed.onFeatures(vectors[at] as FeatureVector)).toEqual(proposed);
  });

  it('proposes for a primed bar delivered again (the last run never finished it), read with the bars before it', () => {
    const primed = engine();
    primed.prime(vectors.slice(0, at + 3));
    const answer = primed.receive(vectors[at] as FeatureVector);
    expect(answer.outcome).toBe('new');
    expect(answer.decided.map((d) => d.candidate)).toEqual(proposed);
  });
});
