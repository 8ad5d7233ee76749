import { z } from 'zod';

/** STOP_LIMIT_OFFSET_BPS when it is not set. */
export const DEFAULT_STOP_LIMIT_OFFSET_BPS = 50;

/**
 * The stops service's stop-limit offset: ccxt stops on Binance spot are stop-limits whose limit sits this
 * many basis points beyond the stop. One variable for every service that needs it, set once (`.env`): the
 * stops service places its stops with it; risk and the gateway refuse limits whose stopExitAllowanceBps
 * does not cover it (core's coversStopLimitOffset). Spread into each service's config schema.
 */
export const stopLimitOffsetVariables = {
  STOP_LIMIT_OFFSET_BPS: z.coerce.number().min(0).max(1000).default(DEFAULT_STOP_LIMIT_OFFSET_BPS),
};
