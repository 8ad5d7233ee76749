import { configuredRiskLimits, type RiskLimits } from '@ballast/core';
import { ConfigError } from '@ballast/service-kit';
import type { RiskConfig } from './config';

/**
 * The limits risk is configured with (core configuredRiskLimits, as the gateway reads them). Risk's
 * RISK_LIMITS_JSON is the variable's text, not a parsed value, because a config built in code (the
 * backtest) passes it as text; text that is not JSON, limits that are not valid, or a
 * stopExitAllowanceBps below STOP_LIMIT_OFFSET_BPS refuse the start with a ConfigError naming them.
 */
export function configuredLimits(
  config: Pick<RiskConfig, 'RISK_LIMITS_JSON' | 'STOP_LIMIT_OFFSET_BPS'>,
): RiskLimits {
  const invalid = (expected: string) =>
    new ConfigError([{ variable: 'RISK_LIMITS_JSON', reason: 'invalid', expected }]);
  let given: unknown;
  try {
    if (config.RISK_LIMITS_JSON) given = JSON.parse(config.RISK_LIMITS_JSON);
  } catch {
    throw invalid('risk limits as a JSON object');
  }
  const limits = configuredRiskLimits(given, config.STOP_LIMIT_OFFSET_BPS);
  if (!limits.ok) throw invalid(limits.message);
  return limits.limits;
}
