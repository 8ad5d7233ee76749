import { normaliseSymbol, Timeframe } from '@ballast/contracts';
import { z } from 'zod';

/** `a, b,,c` → `['a', 'b', 'c']`: a comma list variable's items, trimmed, empties dropped. */
export const commaList = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

const symbolList = z
  .string()
  .min(1)
  .transform((value, ctx) => {
    const out: string[] = [];
    for (const raw of commaList(value)) {
      try {
        out.push(normaliseSymbol(raw));
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }
    if (out.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one symbol, e.g. BTC/USDT' });
    return [...new Set(out)];
  });

/**
 * Which candles a deployment records: the market-data service watches these, and `ballast backfill
 * --warm-up` fills their history before the features service starts. One definition, spread into each
 * config schema, so both read the same `.env` the same way.
 */
export const marketDataFeedVariables = {
  VENUE: z.enum(['binance', 'bybit']),
  /** Comma list, e.g. `BTC/USDT,ETH-USDT`; normalised to `BTC-USDT`. */
  SYMBOLS: symbolList,
  TIMEFRAME: Timeframe.default('1h'),
  /** REST origin for backfills and depth snapshots (e.g. a simulator's `http://127.0.0.1:8900`). */
  REST_URL: z.url().optional(),
};

/**
 * Stored candles the features service replays per series before its first live one; unset: what the
 * series' slowest indicator or higher-timeframe context needs to converge (core's FeatureEngine.warmUpBars),
 * so that a restart changes no vector. `ballast backfill --warm-up` fetches that much history.
 */
export const featuresWarmUpVariables = {
  FEATURES_WARMUP_CANDLES: z.coerce.number().int().positive().optional(),
};
