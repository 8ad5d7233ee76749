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
 * that writes the value and the risk service that applies it.
 */
export function limitsOver(base: RiskLimits, stored: unknown): StoredLimits {
  if (!isObject(stored))
    return { ok: false, reason: 'invalid_limits', message: 'stored risk limits are not an object' };
  const parsed = RiskLimits.safeParse({ ...base, ...stored });
  if (parsed.success) return { ok: true, limits: parsed.data };
  return {
    ok: false,
    reason: 'invalid_limits',
    message: z.prettifyError(parsed.error).replaceAll('\n', '; '),
  };
}
