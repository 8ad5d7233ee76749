import type { IndicatorSnapshot } from '../indicators';

/**
 * Names of the FeatureVector `indicators` record, one per number a strategy may read. OBV is not one: its
 * level is a sum from whatever bar the series started on, so it changes with every restart and never
 * matches the backtest (CMF20 carries the volume flow over a fixed window instead).
 */
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
  'volumeRatio',
  'realisedVolatility',
] as const;
export type FeatureIndicator = (typeof FEATURE_INDICATORS)[number];

export type FeatureIndicators = Record<FeatureIndicator, number>;

/** The flattened snapshot, or why there is none: still warming up, or a value came out non-finite. */
export type CheckedFeatureIndicators =
  | { ok: true; values: FeatureIndicators }
  | { ok: false; reason: 'warming' }
  | { ok: false; reason: 'non_finite'; names: FeatureIndicator[] };

/** The snapshot flattened into named numbers; null while any indicator is still warming up. */
export function featureIndicators(s: IndicatorSnapshot): FeatureIndicators | null {
  const checked = checkedFeatureIndicators(s);
  return checked.ok ? checked.values : null;
}

/**
 * As featureIndicators, telling a warming indicator (null) from a broken one (NaN or ±Infinity, e.g. an
 * overflow): the second is an error to report, not a state to wait out.
 */
export function checkedFeatureIndicators(s: IndicatorSnapshot): CheckedFeatureIndicators {
  const { macd, bollinger } = s;
  if (macd === null || bollinger === null) return { ok: false, reason: 'warming' };
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
    volumeRatio: s.volumeRatio,
    realisedVolatility: s.realisedVolatility,
  };
  const names: FeatureIndicator[] = [];
  for (const [name, v] of Object.entries(values) as Array<[FeatureIndicator, number | null]>) {
    if (v === null) return { ok: false, reason: 'warming' };
    if (!Number.isFinite(v)) names.push(name);
  }
  if (names.length > 0) return { ok: false, reason: 'non_finite', names };
  return { ok: true, values: values as FeatureIndicators };
}

/** Reads a named indicator from a vector's record; a missing one is a programming error, not a market state. */
export function indicator(indicators: Readonly<Record<string, number>>, name: FeatureIndicator): number {
  const value = indicators[name];
  if (value === undefined) throw new Error(`feature vector lacks indicator ${name}`);
  return value;
}
