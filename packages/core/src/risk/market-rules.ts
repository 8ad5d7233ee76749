import { z } from 'zod';

/** A venue's precision and minimums for one market (Binance PRICE_FILTER, LOT_SIZE, MIN_NOTIONAL). */
export const MarketRules = z.object({
  tickSize: z.number().positive(),
  stepSize: z.number().positive(),
  minQty: z.number().nonnegative(),
  minNotional: z.number().nonnegative(),
});
export type MarketRules = z.infer<typeof MarketRules>;
