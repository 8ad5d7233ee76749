import { BollingerBreakout } from './bollinger-breakout';
import { MeanReversion } from './mean-reversion';
import type { Strategy } from './strategy';
import type { StrategiesConfig } from './strategy-config';
import { TrendPullback } from './trend-pullback';

/** The three shipped strategies, configured from one parsed StrategiesConfig. */
export function defaultStrategies(config: StrategiesConfig): Strategy[] {
  return [
    new TrendPullback(config.trendPullback, config.levels),
    new BollingerBreakout(config.breakout, config.levels),
    new MeanReversion(config.meanReversion, config.levels),
  ];
}
