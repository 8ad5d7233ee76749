import { z } from 'zod';
import { RiskLimits } from './risk-limits';

export type StoredLimits =
  | { ok: true; limits: RiskLimits }
  | { ok: false; reason: 'invalid_limits'; message: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The limits in force when an operator stored `stored` over `base` (the configured limits): fields given
 * replace the base's, and the whole result must still be valid RiskLimits — one schema for the gateway
 * that writes the value and the risk service that applies it. Given the stops service's stop-limit
 * offset, the result must also cover it (coversStopLimitOffset).
 */
export function limitsOver(base: RiskLimits, stored: unknown, stopLimitOffsetBps?: number): StoredLimits {
  if (!isObject(stored))
    return { ok: false, reason: 'invalid_limits', message: 'stored risk limits are not an object' };
  const parsed = RiskLimits.safeParse({ ...base, ...stored });
  if (!parsed.success)
    return {
      ok: false,
      reason: 'invalid_limits',
      message: z.prettifyError(parsed.error).replaceAll('\n', '; '),
    };
  return stopLimitOffsetBps === undefined
    ? { ok: true, limits: parsed.data }
    : coversStopLimitOffset(parsed.data, stopLimitOffsetBps);
}

/**
 * Limits whose stopExitAllowanceBps covers the stops service's STOP_LIMIT_OFFSET_BPS. An entry is sized to
 * stay sellable at its stop less the allowance, and its stop-limit sells at the stop less the offset: with
 * a smaller allowance, entries pass risk whose stop (and take-profits) the venue refuses as below its
 * minimum notional.
 */
export function coversStopLimitOffset(limits: RiskLimits, stopLimitOffsetBps: number): StoredLimits {
  if (limits.stopExitAllowanceBps >= stopLimitOffsetBps) return { ok: true, limits };
  return {
    ok: false,
    reason: 'invalid_limits',
    message:
      `stopExitAllowanceBps (${limits.stopExitAllowanceBps}) is below STOP_LIMIT_OFFSET_BPS ` +
      `(${stopLimitOffsetBps}, the stops service's stop-limit offset): entries would pass risk that their ` +
      `stop cannot sell; raise stopExitAllowanceBps to at least ${stopLimitOffsetBps}`,
  };
}
