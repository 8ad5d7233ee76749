import { configuredRiskLimits, type RiskLimits } from '@ballast/core';
import { ConfigError } from '@ballast/service-kit';
import type { GatewayConfig } from './config';

/**
 * The risk limits the gateway starts from, judged as the risk service judges them at its start (core
 * configuredRiskLimits); the config schema has already parsed RISK_LIMITS_JSON. Limits whose
 * stopExitAllowanceBps is below STOP_LIMIT_OFFSET_BPS refuse the start with risk's ConfigError: risk would
 * not run with them, so the gateway would show headroom against, and judge changes over, limits that are
 * in force nowhere.
 */
export function configuredLimits(
  config: Pick<GatewayConfig, 'RISK_LIMITS_JSON' | 'STOP_LIMIT_OFFSET_BPS'>,
): RiskLimits {
  const limits = configuredRiskLimits(config.RISK_LIMITS_JSON, config.STOP_LIMIT_OFFSET_BPS);
  if (!limits.ok)
    throw new ConfigError([{ variable: 'RISK_LIMITS_JSON', reason: 'invalid', expected: limits.message }]);
  return limits.limits;
}
