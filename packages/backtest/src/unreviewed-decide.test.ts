import type { FeatureVector, SignalCandidate } from '@ballast/contracts';
import { FeatureEngine } from '@ballast/core';
import { recordedKlines } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { unreviewedDecide } from './unreviewed-decide';

// Real Binance spot BTCUSDT 1h candles from the start of the recording: their feature vectors cover
// every volatility level.
const RECORDED = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';
const candles = recordedKlines('BTCUSDT', '1h', 12_000);
const engine = new FeatureEngine();
const vectors = candles.map((c) => engine.onCandle(c)).filter((v): v is FeatureVector => v !== null);

function firstAt(level: FeatureVector['volatility']['level']): FeatureVector {
  const found = vectors.find((v) => v.volatility.level === level);
  if (!found) throw new Error(`no ${level} volatility in the first ${candles.length} bars of ${RECORDED}`);
  return found;
}

/** A long at the vector's close, stop 2.5 ATR below, target 5 ATR above (the default levels). */
function longAt(vector: FeatureVector): SignalCandidate {
  const atr = vector.indicators.atr14 ?? 0;
  return {
    id: `cand-${vector.openTime}`,
    strategy: 'trend_pullback',
    setup: 'pullback',
    exchange: vector.exchange,
    symbol: vector.symbol,
    timeframe: vector.timeframe,
    side: 'long',
    entry: vector.close,
    stop: vector.close - 2.5 * atr,
    takeProfits: [vector.close + 5 * atr],
    confidence: 60,
    rank: 1,
    rationale: 'test',
    veto: null,
  };
}

describe(`the backtest's agents: 'none' decision (${RECORDED})`, () => {
  it('approves at the volatility regime’s positionScale, as every live decision is capped', async () => {
    for (const level of ['normal', 'high'] as const) {
      const vector = firstAt(level);
      const decision = await unreviewedDecide()(longAt(vector), vector);
      expect({ level, approved: decision.approved, size: decision.sizeMultiplier }).toEqual({
        level,
        approved: true,
        size: vector.volatility.positionScale,
      });
    }
    expect(firstAt('high').volatility.positionScale).toBeLessThan(1);
  });

  it('refuses an entry in extreme volatility, as live always does', async () => {
    const vector = firstAt('extreme');
    const decision = await unreviewedDecide()(longAt(vector), vector);
    expect(decision).toMatchObject({
      approved: false,
      sizeMultiplier: 0,
      rejection: { reason: 'extreme_volatility' },
    });
  });
});
