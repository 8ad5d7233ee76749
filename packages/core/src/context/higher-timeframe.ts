import type { Candle, FeatureVector, PositionSide, Timeframe } from '@ballast/contracts';
import { convergedBars, DEFAULT_BOLLINGER, IndicatorSet } from '../indicators';
import { CandleResampler, type ResampleRejectionReason } from '../market';
import { trendOf } from './trend';

/** Higher-timeframe bars before a view exists: EMA50 (of the trend) is the slowest input. */
export const HIGHER_TIMEFRAME_WARM_BARS = 50;

/**
 * Higher-timeframe bars before a view no longer depends on where the series started (a restart): the
 * trend's EMA50 forgetting its seed, the regime's ADX(14) and its 120-bar bandwidth look-back.
 */
export const HIGHER_TIMEFRAME_CONVERGED_BARS = Math.max(
  convergedBars(HIGHER_TIMEFRAME_WARM_BARS, 2 / (HIGHER_TIMEFRAME_WARM_BARS + 1)),
  convergedBars(2 * 14 - 1, 1 / 14),
  DEFAULT_BOLLINGER.period + DEFAULT_BOLLINGER.squeezeLookback,
);

export type HigherTimeframeView = NonNullable<FeatureVector['higherTimeframe']>;

export type HigherTimeframeOutcome =
  | { ok: true; view: HigherTimeframeView | null }
  | { ok: false; reason: ResampleRejectionReason; message: string };

/**
 * Resamples one lower-timeframe series into a higher one as candles close and keeps that timeframe's
 * indicators, so its trend and regime are known at every lower-timeframe close without a second feed.
 * Only closed higher-timeframe bars count: a forming 4h bar would repaint the context within the hour.
 */
export class HigherTimeframeContext {
  readonly timeframe: Timeframe;
  private readonly resampler: CandleResampler;
  private readonly indicators = new IndicatorSet();
  private view: HigherTimeframeView | null = null;

  constructor(timeframe: Timeframe) {
    this.timeframe = timeframe;
    this.resampler = new CandleResampler(timeframe);
  }

  push(candle: Candle): HigherTimeframeOutcome {
    const outcome = this.resampler.push(candle);
    if (!outcome.ok) return outcome;
    for (const closed of outcome.closed) this.view = this.advance(closed);
    return { ok: true, view: this.view };
  }

  get current(): HigherTimeframeView | null {
    return this.view;
  }

  private advance(bar: Candle): HigherTimeframeView | null {
    const snapshot = this.indicators.update(bar);
    const trend = trendOf(bar.close, snapshot);
    if (trend === null || snapshot.regime === null) return null;
    return { timeframe: this.timeframe, trend, regime: snapshot.regime };
  }
}

/** The trend an entry on `side` needs from the higher timeframe. */
export function trendFor(side: PositionSide): HigherTimeframeView['trend'] {
  return side === 'long' ? 'up' : 'down';
}

/**
 * A lower-timeframe entry is confirmed unless the higher timeframe trends the other way. A flat higher
 * timeframe does not object (ranges are where mean reversion lives); an unknown one (still warming) does
 * not either, since absence of data is not disagreement.
 */
export function higherTimeframeDisagrees(side: PositionSide, view: HigherTimeframeView | null): boolean {
  if (view === null || view.trend === 'flat') return false;
  return view.trend !== trendFor(side);
}

/**
 * The higher timeframes whose trend confirms an entry on the vector's series: its primary one when none
 * are named, else the named ones that are warm. A vector from before `higherTimeframes` existed offers
 * its primary only.
 */
export function confirmingViews(
  vector: Pick<FeatureVector, 'higherTimeframe' | 'higherTimeframes'>,
  timeframes?: readonly Timeframe[],
): HigherTimeframeView[] {
  const primary = vector.higherTimeframe ? [vector.higherTimeframe] : [];
  if (timeframes === undefined) return primary;
  return (vector.higherTimeframes ?? primary).filter((v) => timeframes.includes(v.timeframe));
}
