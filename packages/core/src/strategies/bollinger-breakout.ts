import type { FeatureVector, PositionSide } from '@ballast/contracts';
import { indicator } from '../context';
import { atrLevels } from './atr-levels';
import { clampConfidence, fixed, type Strategy, type StrategyInput, type StrategyProposal } from './strategy';
import type { AtrLevelsConfig, BreakoutConfig } from './strategy-config';

/**
 * A volatility expansion out of a Bollinger squeeze: the bands were squeezed within the last
 * `squeezeLookback` bars, the previous close was inside the bands, this close is outside them, and volume
 * is at least `minVolumeRatio` times its mean (a break on thin volume is usually given back).
 */
export class BollingerBreakout implements Strategy {
  readonly name = 'bollinger_breakout';
  readonly regimes = ['choppy', 'trending'] as const;

  constructor(
    private readonly config: BreakoutConfig,
    private readonly levels: AtrLevelsConfig,
  ) {}

  evaluate({ current, history }: StrategyInput): StrategyProposal[] {
    const previous = history[history.length - 1];
    if (!this.config.enabled || !previous) return [];
    const recent = history.slice(-this.config.squeezeLookback);
    if (!recent.some((v) => indicator(v.indicators, 'bbSqueeze') === 1)) return [];
    const side = breakSide(previous, current);
    const volume = indicator(current.indicators, 'volumeRatio');
    if (!side || volume < this.config.minVolumeRatio) return [];
    const levels = atrLevels(side, current, this.levels);
    if (!levels) return [];
    const band = indicator(current.indicators, side === 'long' ? 'bbUpper' : 'bbLower');
    const atr = indicator(current.indicators, 'atr14');
    const beyond = Math.abs(current.close - band) / atr;
    const confidence = clampConfidence(
      45 + Math.min(30, 10 * (volume - this.config.minVolumeRatio)) + Math.min(20, 20 * beyond),
    );
    return [
      {
        strategy: this.name,
        setup: 'squeeze_breakout',
        side,
        ...levels,
        confidence,
        rationale: `Bollinger squeeze within ${this.config.squeezeLookback} bars, close ${fixed(beyond)} ATR ${side === 'long' ? 'above the upper' : 'below the lower'} band on ${fixed(volume)}× volume`,
      },
    ];
  }
}

function breakSide(previous: FeatureVector, current: FeatureVector): PositionSide | null {
  const wasInside =
    previous.close <= indicator(previous.indicators, 'bbUpper') &&
    previous.close >= indicator(previous.indicators, 'bbLower');
  if (!wasInside) return null;
  if (current.close > indicator(current.indicators, 'bbUpper')) return 'long';
  if (current.close < indicator(current.indicators, 'bbLower')) return 'short';
  return null;
}
