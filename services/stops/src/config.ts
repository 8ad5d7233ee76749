import { Timeframe } from '@ballast/contracts';
import { TRADE_RUN_GAP_MS } from '@ballast/core';
import { stopLimitOffsetVariables, timerMs, timerMsOrZero } from '@ballast/service-kit';
import { z } from 'zod';

const list = z
  .string()
  .transform((text) => text.split(',').map((s) => Number(s.trim())))
  .pipe(z.array(z.number().positive().max(1)).min(1));

/** The stops service's own variables; keys are secrets (EXCHANGE_API_KEY / _SECRET, or their _FILE). */
export const stopsConfigSchema = z.object({
  /** `paper`: stops rest in this process (paper trading); `ccxt`: exchange-native stops on the venue. */
  STOPS_VENUE_KIND: z.enum(['paper', 'ccxt']).default('paper'),
  /** Where market rules (tick, step) are read, and ccxt stops placed; a local simulator in tests. */
  EXCHANGE_BASE_URL: z.url().optional(),
  EXCHANGE_API_KEY: z.string().min(1).optional(),
  EXCHANGE_API_SECRET: z.string().min(1).optional(),
  /** ccxt stops on Binance spot are stop-limits: the limit sits this far beyond the stop. */
  ...stopLimitOffsetVariables,
  /**
   * How often (wall time) every live stop is read back from the venue; a stop cancelled or lost
   * behind our back is re-placed on the next check. 0 turns the periodic check off.
   */
  VERIFY_INTERVAL_MS: timerMsOrZero(15_000),
  /** How often coverage is recorded for the readiness gate (0: never, as in backtests). */
  COVERAGE_SAMPLE_MS: timerMsOrZero(60_000),
  STOPS_VENUE: z
    .string()
    .regex(/^[a-z][a-z0-9]*$/)
    .default('binance'),
  /** Stop distance from entry when a position has no known intent stop. */
  FALLBACK_STOP_PCT: z.coerce.number().positive().max(0.5).default(0.02),
  /** Stops trail by default (ADR 11): `off` leaves each stop where its entry and take-profits put it. */
  TRAIL_MODE: z.enum(['off', 'percent', 'atr']).default('atr'),
  TRAIL_PCT: z.coerce.number().positive().max(0.5).default(0.02),
  TRAIL_ATR_MULTIPLE: z.coerce.number().positive().default(2),
  /** The bars the stop trails on, at their close, by their ATR(14): the timeframe market-data publishes. */
  TRAIL_TIMEFRAME: Timeframe.default('1h'),
  /** Fraction of the remaining position each take-profit closes; TP1 = 0.5 by design. */
  TP_FRACTIONS: list.default([0.5]),
  /** Round-trip fee rate (both sides summed) a stop moved to breakeven pays back (core breakevenPrice). */
  BREAKEVEN_FEE_RATE: z.coerce.number().min(0).max(0.05).default(0.002),
  /** How far past the stop the local monitor waits for the venue's stop before closing itself. */
  LOCAL_GRACE_BPS: z.coerce.number().min(0).default(10),
  /**
   * Trades at most this far apart count as an unbroken run: a bar inside one was checked print by print,
   * and its low and high are not checked again at its close. A replay printing a bar at its path's
   * vertices only (the backtest) sets it to the bar's length.
   */
  TRADE_RUN_GAP_MS: z.coerce.number().int().positive().default(TRADE_RUN_GAP_MS),
  PLACE_ATTEMPTS: z.coerce.number().int().min(1).default(3),
  RETRY_BASE_MS: timerMs(200),
  /** How long (injected clock) a sent close may go unconfirmed by a closed position before it is re-sent. */
  CLOSE_CONFIRM_MS: z.coerce.number().int().positive().default(30_000),
  /**
   * How long (injected clock) after a kill with flatten its stops stay held without the orders
   * service's report of the flatten (which may come late: the service down, its commands queued).
   * CLOSE_CONFIRM_MS after the kill an unreported flatten is alerted on (`flatten_incomplete`); at this
   * limit the hold ends and the positions still open are protected again.
   */
  FLATTEN_HOLD_MAX_MS: z.coerce.number().int().positive().default(600_000),
  /** Closes sent for one position before only the repeating "cannot close" alert remains. */
  CLOSE_ATTEMPTS: z.coerce.number().int().min(1).default(3),
  /**
   * How long (injected clock) an approved intent waits for the fill that uses it before it is
   * dropped; unset: 6 hours.
   */
  PENDING_INTENT_MAX_AGE_MS: z.coerce.number().int().positive().optional(),
  CLIENT_ID_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{0,12}$/)
    .default('bl-'),
});

export type StopsConfig = z.output<typeof stopsConfigSchema>;
