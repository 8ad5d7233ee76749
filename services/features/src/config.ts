import { z } from 'zod';
import { SeriesList } from './series-list';

export const featuresConfigSchema = z.object({
  /** Series warmed from stored candles at start, e.g. `binance:BTC-USDT:1h,binance:ETH-USDT:1h`. */
  FEATURES_SERIES: SeriesList,
  /**
   * Stored candles replayed per series before its first live one; default: what the series' slowest
   * indicator or higher-timeframe context needs (FeatureEngine.warmUpBars, 1224 for 1h with a 1d context).
   */
  FEATURES_WARMUP_CANDLES: z.coerce.number().int().positive().optional(),
  /**
   * A run of at least this many candles missing from both stream and database starts the series cold
   * (silent until warm again); unset: every hole is bridged, as the backtest bridges exchange outages.
   */
  FEATURES_COLD_AFTER_MISSING: z.coerce.number().int().positive().optional(),
  /** Durable consumer name on md.candle. */
  FEATURES_DURABLE: z.string().min(1).default('features'),
});
export type FeaturesConfig = z.output<typeof featuresConfigSchema>;
