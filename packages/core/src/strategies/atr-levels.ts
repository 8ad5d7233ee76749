import type { FeatureVector, PositionSide } from '@ballast/contracts';
import { indicator } from '../context';
import type { AtrLevelsConfig } from './strategy-config';

export interface AtrLevels {
  entry: number;
  stop: number;
  takeProfits: number[];
}

/**
 * Entry at the close; stop `stopAtr` ATRs away, widened by the volatility regime's stop multiplier;
 * take-profits `takeProfitAtr` ATRs away. null when the stop would fall to zero or below (a long on a
 * price smaller than its stop distance has no valid stop).
 */
export function atrLevels(
  side: PositionSide,
  vector: FeatureVector,
  config: AtrLevelsConfig,
): AtrLevels | null {
  const entry = vector.close;
  const atr = indicator(vector.indicators, 'atr14');
  const direction = side === 'long' ? 1 : -1;
  const stop = entry - direction * config.stopAtr * vector.volatility.stopMultiplier * atr;
  const takeProfits = config.takeProfitAtr.map((k) => entry + direction * k * atr);
  if (!(stop > 0) || takeProfits.some((tp) => !(tp > 0)) || !(atr > 0)) return null;
  return { entry, stop, takeProfits };
}
