import type { FeatureVector, PositionSide } from '@ballast/contracts';
import { indicator } from '../context';
import { atrLevels } from './atr-levels';
import { clampConfidence, fixed, type Strategy, type StrategyInput, type StrategyProposal } from './strategy';
import type { AtrLevelsConfig, TrendPullbackConfig } from './strategy-config';

/**
 * With-trend entries after a dip: EMA21 > EMA50 > EMA200 (mirrored for shorts), ADX at least `minAdx`
 * with the directional index on the trend's side, the previous close inside the EMA21 zone (within
 * `pullbackAtr` ATRs) and this close leaving it in the trend's direction, RSI not stretched.
 */
export class TrendPullback implements Strategy {
  readonly name = 'trend_pullback';
  readonly regimes = ['trending'] as const;

  constructor(
    private readonly config: TrendPullbackConfig,
    private readonly levels: AtrLevelsConfig,
  ) {}

  evaluate({ current, history }: StrategyInput): StrategyProposal[] {
    const previous = history[history.length - 1];
    if (!this.config.enabled || !previous) return [];
    const side = stackSide(current);
    if (!side || !this.bounced(side, previous, current) || !this.trendStrong(side, current)) return [];
    const levels = atrLevels(side, current, this.levels);
    if (!levels) return [];
    const adx = indicator(current.indicators, 'adx14');
    const rsi = indicator(current.indicators, 'rsi14');
    const volume = indicator(current.indicators, 'volumeRatio');
    const confidence = clampConfidence(
      45 + Math.min(30, 1.5 * (adx - this.config.minAdx)) + Math.min(15, Math.max(0, 15 * (volume - 1))),
    );
    const stack = side === 'long' ? 'EMA21>EMA50>EMA200' : 'EMA21<EMA50<EMA200';
    return [
      {
        strategy: this.name,
        setup: 'ema21_pullback',
        side,
        ...levels,
        confidence,
        rationale: `${stack}, ADX ${fixed(adx)}, RSI ${fixed(rsi)}: pulled back to the EMA21 zone and closed out of it ${side === 'long' ? 'upward' : 'downward'}`,
      },
    ];
  }

  private bounced(side: PositionSide, previous: FeatureVector, current: FeatureVector): boolean {
    const zone = (v: FeatureVector) => this.config.pullbackAtr * indicator(v.indicators, 'atr14');
    const prevEma = indicator(previous.indicators, 'ema21');
    const ema = indicator(current.indicators, 'ema21');
    if (side === 'long')
      return previous.close <= prevEma + zone(previous) && current.close > ema + zone(current);
    return previous.close >= prevEma - zone(previous) && current.close < ema - zone(current);
  }

  private trendStrong(side: PositionSide, v: FeatureVector): boolean {
    const adx = indicator(v.indicators, 'adx14');
    const rsi = indicator(v.indicators, 'rsi14');
    const plus = indicator(v.indicators, 'plusDi14');
    const minus = indicator(v.indicators, 'minusDi14');
    if (adx < this.config.minAdx) return false;
    if (side === 'long') return plus > minus && rsi >= this.config.rsiMin && rsi <= this.config.rsiMax;
    // Mirrored RSI band: a short wants RSI between 100 − rsiMax and 100 − rsiMin.
    return minus > plus && rsi >= 100 - this.config.rsiMax && rsi <= 100 - this.config.rsiMin;
  }
}

function stackSide(v: FeatureVector): PositionSide | null {
  const e21 = indicator(v.indicators, 'ema21');
  const e50 = indicator(v.indicators, 'ema50');
  const e200 = indicator(v.indicators, 'ema200');
  if (e21 > e50 && e50 > e200) return 'long';
  if (e21 < e50 && e50 < e200) return 'short';
  return null;
}
