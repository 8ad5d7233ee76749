import { featuresWarmUpVariables } from '@ballast/service-kit';
import { z } from 'zod';
import { SeriesList } from './series-list';

export const featuresConfigSchema = z.object({
  /** Series warmed from stored candles at start, e.g. `binance:BTC-USDT:1h,binance:ETH-USDT:1h`. */
  FEATURES_SERIES: SeriesList,
  /**
   * FEATURES_WARMUP_CANDLES: stored candles replayed per series before its first live one; default what the
   * series' slowest indicator or higher-timeframe context needs to converge, so that a restart changes no vector
   * (FeatureEngine.warmUpBars: 9,528 for 1h with a 1d context, 2,382 for 4h). The database must hold that much
   * history (`ballast backfill --warm-up`, the stack's `warm-up` one-shot), else a restart starts short.
   */
  ...featuresWarmUpVariables,
  /**
   * A run of at least this many candles missing from both stream and database starts the series cold
   * (silent until warm again); unset: every hole is bridged, as the backtest bridges exchange outages.
   */
  FEATURES_COLD_AFTER_MISSING: z.coerce.number().int().positive().optional(),
  /** Durable consumer name on md.candle. */
  FEATURES_DURABLE: z.string().min(1).default('features'),
});
export type FeaturesConfig = z.output<typeof featuresConfigSchema>;
