import type { IndicatorSnapshot } from '../indicators';

/** Names of the FeatureVector `indicators` record, one per number a strategy may read. */
export const FEATURE_INDICATORS = [
  'ema9',
  'ema21',
  'ema50',
  'ema200',
  'sma20',
  'rsi14',
  'macd',
  'macdSignal',
  'macdHistogram',
  'bbUpper',
  'bbMiddle',
  'bbLower',
  'bbBandwidth',
  'bbBandwidthRatio',
  'bbSqueeze',
  'atr14',
  'adx14',
  'plusDi14',
  'minusDi14',
  'cmf20',
  'obv',
  'volumeRatio',
  'realisedVolatility',
] as const;
export type FeatureIndicator = (typeof FEATURE_INDICATORS)[number];

/** The snapshot flattened into named numbers; null while any indicator is still warming up. */
export function featureIndicators(s: IndicatorSnapshot): Record<FeatureIndicator, number> | null {
  const { macd, bollinger } = s;
  if (macd === null || bollinger === null) return null;
  const values = {
    ema9: s.ema9,
    ema21: s.ema21,
    ema50: s.ema50,
    ema200: s.ema200,
    sma20: s.sma20,
    rsi14: s.rsi14,
    macd: macd.macd,
    macdSignal: macd.signal,
    macdHistogram: macd.histogram,
    bbUpper: bollinger.upper,
    bbMiddle: bollinger.middle,
    bbLower: bollinger.lower,
    bbBandwidth: bollinger.bandwidth,
    bbBandwidthRatio: bollinger.bandwidthRatio,
    // A flag as a number keeps the record one type; 1 = squeezed.
    bbSqueeze: bollinger.squeeze ? 1 : 0,
    atr14: s.atr14,
    adx14: s.adx14,
    plusDi14: s.plusDi14,
    minusDi14: s.minusDi14,
    cmf20: s.cmf20,
    obv: s.obv,
    volumeRatio: s.volumeRatio,
    realisedVolatility: s.realisedVolatility,
  };
  for (const v of Object.values(values)) if (v === null || !Number.isFinite(v)) return null;
  return values as Record<FeatureIndicator, number>;
}

/** Reads a named indicator from a vector's record; a missing one is a programming error, not a market state. */
export function indicator(indicators: Readonly<Record<string, number>>, name: FeatureIndicator): number {
  const value = indicators[name];
  if (value === undefined) throw new Error(`feature vector lacks indicator ${name}`);
  return value;
}
