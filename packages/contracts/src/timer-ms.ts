import { z } from 'zod';

/**
 * The longest delay a Node timer (setTimeout, setInterval, AbortSignal.timeout) holds: a signed 32-bit
 * count of ms. A longer one fires after 1 ms (a TimeoutOverflowWarning), so "a month" waits not at all.
 */
export const MAX_TIMER_MS = 2_147_483_647;

const TOO_LONG = `at most ${MAX_TIMER_MS} ms (about 24.8 days): a longer timer fires at once`;

const positiveMs = () => z.coerce.number().int().positive().max(MAX_TIMER_MS, TOO_LONG);
const nonNegativeMs = () => z.coerce.number().int().nonnegative().max(MAX_TIMER_MS, TOO_LONG);

/**
 * A variable holding a delay waited with a timer, bounded to what a timer holds; optional without a
 * fallback. Thresholds only compared with a clock take no such bound. Here rather than in service-kit
 * (which re-exports it) so agents, which is no service, share it.
 */
export function timerMs(): z.ZodOptional<ReturnType<typeof positiveMs>>;
export function timerMs(fallback: number): z.ZodDefault<ReturnType<typeof positiveMs>>;
export function timerMs(fallback?: number) {
  return fallback === undefined ? positiveMs().optional() : positiveMs().default(fallback);
}

/** As `timerMs`, with 0 allowed: its reader takes 0 for "never" or "no wait". */
export function timerMsOrZero(): z.ZodOptional<ReturnType<typeof nonNegativeMs>>;
export function timerMsOrZero(fallback: number): z.ZodDefault<ReturnType<typeof nonNegativeMs>>;
export function timerMsOrZero(fallback?: number) {
  return fallback === undefined ? nonNegativeMs().optional() : nonNegativeMs().default(fallback);
}
