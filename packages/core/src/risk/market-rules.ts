import { z } from 'zod';

/** How far a limit price may stray from the reference (Binance's average) price: a band of multipliers. */
const PriceBand = z.object({ up: z.number().positive(), down: z.number().nonnegative() });

/**
 * A venue's precision, minimums and maximums for one market (Binance PRICE_FILTER, LOT_SIZE,
 * MARKET_LOT_SIZE, MIN_NOTIONAL/NOTIONAL, PERCENT_PRICE(_BY_SIDE)). The maximums and bands are optional:
 * a venue or recording without them limits nothing there.
 */
export const MarketRules = z.object({
  tickSize: z.number().positive(),
  stepSize: z.number().positive(),
  minQty: z.number().nonnegative(),
  minNotional: z.number().nonnegative(),
  /** LOT_SIZE maxQty: no order of any type above it. */
  maxQty: z.number().positive().optional(),
  /** MARKET_LOT_SIZE maxQty: no market order above it (BTCUSDT 100.05 on 2021-10-12, against 9000 for limits). */
  marketMaxQty: z.number().positive().optional(),
  /** NOTIONAL maxNotional. */
  maxNotional: z.number().positive().optional(),
  /** PRICE_FILTER minPrice / maxPrice of a limit price. */
  minPrice: z.number().positive().optional(),
  maxPrice: z.number().positive().optional(),
  /** PERCENT_PRICE (one band for both sides) or PERCENT_PRICE_BY_SIDE (a buy's bid band, a sell's ask band). */
  percentPrice: z.object({ buy: PriceBand, sell: PriceBand }).optional(),
});
export type MarketRules = z.infer<typeof MarketRules>;
