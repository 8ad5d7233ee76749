import { DEFAULT_RISK_LIMITS, limitsOver, type RiskLimits } from '@ballast/core';
import { ConfigError } from '@ballast/service-kit';
import type { RiskConfig } from './config';

/**
 * The limits risk is configured with: RISK_LIMITS_JSON over the defaults. Limits that are not valid, or
 * whose stopExitAllowanceBps is below STOP_LIMIT_OFFSET_BPS (entries would pass that their stop cannot
 * sell), refuse the start with a ConfigError naming them.
 */
export function configuredLimits(
  config: Pick<RiskConfig, 'RISK_LIMITS_JSON' | 'STOP_LIMIT_OFFSET_BPS'>,
): RiskLimits {
  const invalid = (expected: string) =>
    new ConfigError([{ variable: 'RISK_LIMITS_JSON', reason: 'invalid', expected }]);
  let given: unknown = {};
  try {
    if (config.RISK_LIMITS_JSON) given = JSON.parse(config.RISK_LIMITS_JSON);
  } catch {
    throw invalid('risk limits as a JSON object');
  }
  const limits = limitsOver(DEFAULT_RISK_LIMITS, given, config.STOP_LIMIT_OFFSET_BPS);
  if (!limits.ok) throw invalid(limits.message);
  return limits.limits;
}
