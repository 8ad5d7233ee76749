import type { AnalystVerdict, FeatureVector, SignalCandidate } from '@ballast/contracts';

/**
 * The offline analyst, deterministic, from the feature vector alone:
 * - trend: the higher timeframe's trend (flat → sideways); without one, the candidate's side when the
 *   regime is trending, else sideways;
 * - strength: ADX (the features service's `adx14` indicator) when present, else 50, bounded to 0–100;
 * - entry zone: between the candidate's entry and the last close;
 * - stop and take-profit: the candidate's stop and first target;
 * - confidence: the candidate's confidence, ×0.8 in a choppy regime and ×0.7 in a volatile one.
 */
export function rulesAnalyst(candidate: SignalCandidate, features: FeatureVector): AnalystVerdict {
  const trend = analystTrend(candidate, features);
  const strength = clamp(features.indicators.adx14 ?? 50, 0, 100);
  const regimeFactor = features.regime === 'choppy' ? 0.8 : features.regime === 'volatile' ? 0.7 : 1;
  return {
    setup: candidate.setup,
    trend,
    strength,
    entryLow: Math.min(candidate.entry, features.close),
    entryHigh: Math.max(candidate.entry, features.close),
    stop: candidate.stop,
    takeProfit: candidate.takeProfits[0] ?? candidate.entry,
    confidence: clamp(candidate.confidence * regimeFactor, 0, 100),
    reasoning: `rules: trend ${trend} from ${features.higherTimeframe ? `${features.higherTimeframe.timeframe} context` : `${features.regime} regime`}, strength ${strength.toFixed(1)}, regime ${features.regime}`,
  };
}

function analystTrend(candidate: SignalCandidate, features: FeatureVector): AnalystVerdict['trend'] {
  const higher = features.higherTimeframe?.trend;
  if (higher !== undefined) return higher === 'flat' ? 'sideways' : higher;
  if (features.regime !== 'trending') return 'sideways';
  return candidate.side === 'long' ? 'up' : 'down';
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
