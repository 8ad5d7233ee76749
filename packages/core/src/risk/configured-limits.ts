import { DEFAULT_RISK_LIMITS } from './risk-limits';
import { limitsOver, type StoredLimits } from './stored-limits';

/**
 * The limits a service starts from: RISK_LIMITS_JSON's value (`given`, parsed from JSON; undefined when
 * the variable is unset) over the defaults. The risk service applies them and the gateway shows and
 * governs them, so both judge the variable here: a field that is not valid is named, and given the stops
 * service's STOP_LIMIT_OFFSET_BPS, an allowance that does not cover it is refused (coversStopLimitOffset).
 */
export function configuredRiskLimits(given: unknown, stopLimitOffsetBps?: number): StoredLimits {
  return limitsOver(DEFAULT_RISK_LIMITS, given ?? {}, stopLimitOffsetBps);
}
