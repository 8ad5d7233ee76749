import type { Timeframe } from '@ballast/contracts';
import { DEFAULT_FEATURE_ENGINE } from '@ballast/core';
import type { BacktestConfig } from './backtest-config';
import { BacktestError } from './backtest-error';

/**
 * Refuses a confirming timeframe the features never compute for the run's timeframe: its view would never
 * exist, and since a named list replaces the primary, no higher-timeframe veto would run at all.
 */
export function checkConfirmTimeframes(config: BacktestConfig, timeframe: Timeframe): void {
  const higher = [DEFAULT_FEATURE_ENGINE.higherTimeframes[timeframe] ?? []].flat();
  const missing = (config.confirmTimeframes ?? []).filter((tf) => !higher.includes(tf));
  if (missing.length > 0)
    throw new BacktestError(
      'bad_config',
      `confirmTimeframes: ${missing.join(', ')} is not a higher timeframe of ${timeframe} (${higher.join(', ') || 'none'})`,
    );
}
