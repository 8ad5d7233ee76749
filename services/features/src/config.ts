import { z } from 'zod';
import { SeriesList } from './series-list';

export const featuresConfigSchema = z.object({
  /** Series warmed from stored candles at start, e.g. `binance:BTC-USDT:1h,binance:ETH-USDT:1h`. */
  FEATURES_SERIES: SeriesList,
  /** Stored candles replayed per series at start; EMA200 needs 200, the 4h context about 200 more. */
  FEATURES_WARMUP_CANDLES: z.coerce.number().int().positive().default(500),
  /** Durable consumer name on md.candle. */
  FEATURES_DURABLE: z.string().min(1).default('features'),
});
export type FeaturesConfig = z.output<typeof featuresConfigSchema>;
