import type { FeatureVector, PositionSide } from '@ballast/contracts';
import { indicator } from '../context';
import { atrLevels } from './atr-levels';
import { clampConfidence, fixed, type Strategy, type StrategyInput, type StrategyProposal } from './strategy';
import type { AtrLevelsConfig, MeanReversionConfig } from './strategy-config';

/**
 * Fades an extreme in a range: a close at or beyond a Bollinger band with RSI past its threshold, on the
 * first bar RSI gets there. Meant only for choppy markets (in a trend an extreme is strength, not
 * exhaustion): its `regimes` make the veto tier refuse it anywhere else, visibly.
 */
export class MeanReversion implements Strategy {
  readonly name = 'mean_reversion';
  readonly regimes = ['choppy'] as const;

  constructor(
    private readonly config: MeanReversionConfig,
    private readonly levels: AtrLevelsConfig,
  ) {}

  evaluate({ current, history }: StrategyInput): StrategyProposal[] {
    const previous = history[history.length - 1];
    if (!this.config.enabled || !previous) return [];
    const side = this.extremeSide(previous, current);
    if (!side) return [];
    const levels = atrLevels(side, current, this.levels);
    if (!levels) return [];
    const rsi = indicator(current.indicators, 'rsi14');
    const band = indicator(current.indicators, side === 'long' ? 'bbLower' : 'bbUpper');
    const atr = indicator(current.indicators, 'atr14');
    const stretch = side === 'long' ? this.config.rsiOversold - rsi : rsi - this.config.rsiOverbought;
    const confidence = clampConfidence(
      45 + Math.min(35, 2 * stretch) + Math.min(20, (20 * Math.abs(current.close - band)) / atr),
    );
    return [
      {
        strategy: this.name,
        setup: side === 'long' ? 'oversold_fade' : 'overbought_fade',
        side,
        ...levels,
        confidence,
        rationale: `RSI ${fixed(rsi)} and close ${side === 'long' ? 'at or below the lower' : 'at or above the upper'} Bollinger band in a ${current.regime} market`,
      },
    ];
  }

  private extremeSide(previous: FeatureVector, current: FeatureVector): PositionSide | null {
    const rsi = indicator(current.indicators, 'rsi14');
    const previousRsi = indicator(previous.indicators, 'rsi14');
    const { rsiOversold, rsiOverbought } = this.config;
    if (
      rsi <= rsiOversold &&
      previousRsi > rsiOversold &&
      current.close <= indicator(current.indicators, 'bbLower')
    )
      return 'long';
    if (
      rsi >= rsiOverbought &&
      previousRsi < rsiOverbought &&
      current.close >= indicator(current.indicators, 'bbUpper')
    )
      return 'short';
    return null;
  }
}
