import { type Candle, type FeatureVector, TIMEFRAME_MS, type Timeframe } from '@ballast/contracts';
import { convergedBars, IndicatorSet, periodsPerYear } from '../indicators';
import { checkedFeatureIndicators } from './feature-indicators';
import {
  HIGHER_TIMEFRAME_CONVERGED_BARS,
  HigherTimeframeContext,
  type HigherTimeframeView,
} from './higher-timeframe';
import { DEFAULT_SUPPORT_RESISTANCE, type SupportResistanceOptions } from './support-resistance';
import { SupportResistanceTracker } from './support-resistance-tracker';
import {
  DEFAULT_VOLATILITY_REGIME,
  type VolatilityRegimeOptions,
  VolatilityRegimeTracker,
} from './volatility-regime';

export interface FeatureEngineOptions {
  /**
   * The higher timeframes each timeframe is resampled into, shortest first: the first is the vector's
   * `higherTimeframe`, all warm ones are its `higherTimeframes`. A timeframe without an entry has none.
   */
  higherTimeframes: Partial<Record<Timeframe, Timeframe | readonly Timeframe[]>>;
  /** Bars the support/resistance search looks back over. */
  supportResistanceWindow: number;
  supportResistance: SupportResistanceOptions;
  volatility: VolatilityRegimeOptions;
}

export const DEFAULT_FEATURE_ENGINE: FeatureEngineOptions = {
  higherTimeframes: { '1m': '15m', '5m': '1h', '15m': '1h', '1h': ['4h', '1d'], '4h': '1d' },
  supportResistanceWindow: 120,
  supportResistance: DEFAULT_SUPPORT_RESISTANCE,
  volatility: DEFAULT_VOLATILITY_REGIME,
};

/**
 * What one candle did: `warming` until the series' slowest indicator (EMA200) is ready; `non_finite` when
 * an indicator would come out NaN or ±Infinity (no vector; an error, not a warm-up): a price or volume
 * beyond MAX_FEATURE_INPUT is refused before it reaches the indicators, whose running sums and smoothed
 * averages it would otherwise leave infinite (then NaN) for good.
 */
export type FeatureOutcome =
  | { status: 'ready'; vector: FeatureVector }
  | { status: 'warming' }
  | { status: 'duplicate' }
  | { status: 'rejected'; reason: 'out_of_order' | 'resample_failed' | 'non_finite'; message: string };

/**
 * The largest price or volume the indicators take. Bollinger's running sum of squares over 20 bars
 * overflows from about 4e153, and an EMA or a Wilder average that once holds Infinity holds it (or NaN)
 * forever; 1e150 keeps every square and every windowed sum finite, and no market quotes near it.
 */
export const MAX_FEATURE_INPUT = 1e150;

/** Which series a call is about: a candle or a vector will do. */
export type SeriesRef = Pick<Candle, 'exchange' | 'symbol' | 'timeframe'>;

/** EMA200 is the slowest indicator of a vector: ready after 200 bars, independent of its seed after ~1,600. */
const INDICATOR_CONVERGED_BARS = convergedBars(200, 2 / 201);

interface SeriesState {
  readonly indicators: IndicatorSet;
  readonly volatility: VolatilityRegimeTracker;
  readonly levels: SupportResistanceTracker;
  readonly higher: readonly HigherTimeframeContext[];
  lastOpenTime: number;
}

/**
 * Turns closed candles into FeatureVectors, one independent state per (exchange, symbol, timeframe).
 * Pure and synchronous: the features service and the backtest runtime drive the same instance type.
 */
export class FeatureEngine {
  readonly options: FeatureEngineOptions;
  private readonly series = new Map<string, SeriesState>();

  constructor(options: Partial<FeatureEngineOptions> = {}) {
    this.options = { ...DEFAULT_FEATURE_ENGINE, ...options };
  }

  onCandle(candle: Candle): FeatureVector | null {
    const outcome = this.process(candle);
    return outcome.status === 'ready' ? outcome.vector : null;
  }

  process(candle: Candle): FeatureOutcome {
    const state = this.stateFor(candle);
    // Warm-up history and the live feed overlap at the seam; the same bar twice is not an error.
    if (candle.openTime === state.lastOpenTime) return { status: 'duplicate' };
    if (candle.openTime < state.lastOpenTime) {
      return {
        status: 'rejected',
        reason: 'out_of_order',
        message: `${candle.openTime} before ${state.lastOpenTime}`,
      };
    }
    const huge = hugeFields(candle);
    // Refused before any state moves: the series goes on with the next candle as if this one were missing.
    if (huge.length > 0)
      return {
        status: 'rejected',
        reason: 'non_finite',
        message: `${huge.join(', ')} beyond ${MAX_FEATURE_INPUT}: the indicators would overflow`,
      };
    state.lastOpenTime = candle.openTime;
    const snapshot = state.indicators.update(candle);
    const volatility = state.volatility.update(candle.close);
    state.levels.push(candle);
    const higher = pushHigher(state.higher, candle);
    if (!higher.ok) return { status: 'rejected', reason: 'resample_failed', message: higher.message };
    const checked = checkedFeatureIndicators(snapshot);
    if (!checked.ok && checked.reason === 'non_finite')
      return { status: 'rejected', reason: 'non_finite', message: `non-finite ${checked.names.join(', ')}` };
    if (!checked.ok || volatility === null || snapshot.regime === null) return { status: 'warming' };
    const indicators = checked.values;
    const levels = state.levels.levels(candle.close);
    return {
      status: 'ready',
      vector: {
        exchange: candle.exchange,
        symbol: candle.symbol,
        timeframe: candle.timeframe,
        openTime: candle.openTime,
        close: candle.close,
        indicators,
        regime: snapshot.regime,
        volatility,
        support: levels.support.map((l) => l.price),
        resistance: levels.resistance.map((l) => l.price),
        higherTimeframe: higher.primary,
        higherTimeframes: higher.warm,
      },
    };
  }

  /** The newest open time the series has consumed, or undefined before its first candle. */
  lastOpenTime(series: SeriesRef): number | undefined {
    return this.series.get(seriesKey(series))?.lastOpenTime;
  }

  /** Forgets a series: its next candle starts it cold, as if it had never been seen. */
  reset(series: SeriesRef): void {
    this.series.delete(seriesKey(series));
  }

  /**
   * Candles of `timeframe` a series replays on a (re)start so that its vectors, volatility regime and
   * every higher-timeframe context are not just ready but converged: the same as those of an engine that
   * ran through (or of the backtest), whatever bar the replay starts on. One spare higher bar covers a
   * first bucket that starts part-way through.
   */
  warmUpBars(timeframe: Timeframe): number {
    const needs = [INDICATOR_CONVERGED_BARS, this.options.volatility.longPeriod + 1];
    for (const higher of this.higherOf(timeframe)) {
      const ratio = TIMEFRAME_MS[higher] / TIMEFRAME_MS[timeframe];
      needs.push((HIGHER_TIMEFRAME_CONVERGED_BARS + 1) * ratio);
    }
    return Math.max(...needs);
  }

  private higherOf(timeframe: Timeframe): readonly Timeframe[] {
    const higher = this.options.higherTimeframes[timeframe];
    if (higher === undefined) return [];
    return typeof higher === 'string' ? [higher] : higher;
  }

  private stateFor(candle: Candle): SeriesState {
    const key = seriesKey(candle);
    let state = this.series.get(key);
    if (!state) {
      state = {
        indicators: new IndicatorSet({ periodsPerYear: periodsPerYear(candle.timeframe) }),
        volatility: new VolatilityRegimeTracker(this.options.volatility),
        levels: new SupportResistanceTracker(
          this.options.supportResistanceWindow,
          this.options.supportResistance,
        ),
        higher: this.higherOf(candle.timeframe).map((tf) => new HigherTimeframeContext(tf)),
        lastOpenTime: Number.NEGATIVE_INFINITY,
      };
      this.series.set(key, state);
    }
    return state;
  }
}

type HigherViews =
  | { ok: true; primary: HigherTimeframeView | null; warm: HigherTimeframeView[] }
  | { ok: false; message: string };

/** Feeds the candle to every higher-timeframe context: the first one's view, and every warm one. */
function pushHigher(contexts: readonly HigherTimeframeContext[], candle: Candle): HigherViews {
  const views: Array<HigherTimeframeView | null> = [];
  for (const context of contexts) {
    const outcome = context.push(candle);
    if (!outcome.ok) return { ok: false, message: `${context.timeframe}: ${outcome.message}` };
    views.push(outcome.view);
  }
  return { ok: true, primary: views[0] ?? null, warm: views.filter((v) => v !== null) };
}

function hugeFields(c: Candle): string[] {
  const fields = ['open', 'high', 'low', 'close', 'volume'] as const;
  return fields.filter((f) => !(Math.abs(c[f]) <= MAX_FEATURE_INPUT));
}

function seriesKey(s: SeriesRef): string {
  return `${s.exchange}|${s.symbol}|${s.timeframe}`;
}
