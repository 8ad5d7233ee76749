import { coversStopLimitOffset, DEFAULT_RISK_LIMITS, type RiskLimits } from '@ballast/core';
import { ConfigError } from '@ballast/service-kit';
import type { GatewayConfig } from './config';

/**
 * The risk limits the gateway starts from: RISK_LIMITS_JSON (over the defaults) or the defaults. As the
 * risk service does at its start, limits whose stopExitAllowanceBps is below STOP_LIMIT_OFFSET_BPS refuse
 * the start with risk's ConfigError: risk would not run with them, so the gateway would show headroom
 * against, and judge changes over, limits that are in force nowhere.
 */
export function configuredLimits(
  config: Pick<GatewayConfig, 'RISK_LIMITS_JSON' | 'STOP_LIMIT_OFFSET_BPS'>,
): RiskLimits {
  const covered = coversStopLimitOffset(
    config.RISK_LIMITS_JSON ?? DEFAULT_RISK_LIMITS,
    config.STOP_LIMIT_OFFSET_BPS,
  );
  if (!covered.ok)
    throw new ConfigError([{ variable: 'RISK_LIMITS_JSON', reason: 'invalid', expected: covered.message }]);
  return covered.limits;
}
