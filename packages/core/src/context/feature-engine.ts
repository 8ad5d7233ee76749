import type { Candle, FeatureVector, Timeframe } from '@ballast/contracts';
import { IndicatorSet, periodsPerYear } from '../indicators';
import { BarWindow } from './bar-window';
import { featureIndicators } from './feature-indicators';
import { HigherTimeframeContext } from './higher-timeframe';
import {
  DEFAULT_SUPPORT_RESISTANCE,
  type SupportResistanceOptions,
  supportResistance,
} from './support-resistance';
import {
  DEFAULT_VOLATILITY_REGIME,
  type VolatilityRegimeOptions,
  VolatilityRegimeTracker,
} from './volatility-regime';

export interface FeatureEngineOptions {
  /** Which timeframe confirms which; a timeframe without an entry gets no higher-timeframe context. */
  higherTimeframes: Partial<Record<Timeframe, Timeframe>>;
  /** Bars the support/resistance search looks back over. */
  supportResistanceWindow: number;
  supportResistance: SupportResistanceOptions;
  volatility: VolatilityRegimeOptions;
}

export const DEFAULT_FEATURE_ENGINE: FeatureEngineOptions = {
  higherTimeframes: { '1m': '15m', '5m': '1h', '15m': '1h', '1h': '4h', '4h': '1d' },
  supportResistanceWindow: 120,
  supportResistance: DEFAULT_SUPPORT_RESISTANCE,
  volatility: DEFAULT_VOLATILITY_REGIME,
};

/** What one candle did: `warming` until the series' slowest indicator (EMA200) is ready. */
export type FeatureOutcome =
  | { status: 'ready'; vector: FeatureVector }
  | { status: 'warming' }
  | { status: 'duplicate' }
  | { status: 'rejected'; reason: 'out_of_order' | 'resample_failed'; message: string };

interface SeriesState {
  readonly indicators: IndicatorSet;
  readonly volatility: VolatilityRegimeTracker;
  readonly window: BarWindow;
  readonly higher: HigherTimeframeContext | null;
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
    state.lastOpenTime = candle.openTime;
    const snapshot = state.indicators.update(candle);
    const volatility = state.volatility.update(candle.close);
    state.window.push(candle);
    const higher = state.higher?.push(candle) ?? { ok: true as const, view: null };
    if (!higher.ok) return { status: 'rejected', reason: 'resample_failed', message: higher.message };
    const indicators = featureIndicators(snapshot);
    if (indicators === null || volatility === null || snapshot.regime === null) return { status: 'warming' };
    const levels = supportResistance(state.window.toArray(), candle.close, this.options.supportResistance);
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
        higherTimeframe: higher.view,
      },
    };
  }

  private stateFor(candle: Candle): SeriesState {
    const key = `${candle.exchange}|${candle.symbol}|${candle.timeframe}`;
    let state = this.series.get(key);
    if (!state) {
      const higher = this.options.higherTimeframes[candle.timeframe];
      state = {
        indicators: new IndicatorSet({ periodsPerYear: periodsPerYear(candle.timeframe) }),
        volatility: new VolatilityRegimeTracker(this.options.volatility),
        window: new BarWindow(this.options.supportResistanceWindow),
        higher: higher ? new HigherTimeframeContext(higher) : null,
        lastOpenTime: Number.NEGATIVE_INFINITY,
      };
      this.series.set(key, state);
    }
    return state;
  }
}
