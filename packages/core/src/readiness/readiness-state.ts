import { z } from 'zod';

/** Every lifecycle key starts so; the rest is the strategy. */
export const LIFECYCLE_KEY_PREFIX = 'readiness:lifecycle:';

/** bot_state keys the readiness gate keeps per strategy. */
export const readinessKeys = {
  /** An explicitly recorded start of paper trading; without it the first closed trade starts the period. */
  paperStart: (strategy: string) => `readiness:paper_start:${strategy}`,
  /** The last backtest judged over the paper period, so live start-up need not rerun it. */
  backtest: (strategy: string) => `readiness:backtest:${strategy}`,
  lifecycle: (strategy: string) => `${LIFECYCLE_KEY_PREFIX}${strategy}`,
};

export const PaperStart = z.object({ at: z.number() });

export const StoredBacktest = z.object({
  from: z.number(),
  to: z.number(),
  trades: z.number(),
  expectancy: z.number(),
  maxDrawdownPct: z.number(),
  /**
   * The markets it replayed; it counts only when they hold every market the strategy traded in the paper
   * period. Absent in records written before it was kept (then the markets are not checked).
   */
  symbols: z.array(z.string()).optional(),
  /** The `--config` a `--data` backtest ran with, as given; absent for defaults or a `--backtest` file. */
  config: z.record(z.string(), z.unknown()).optional(),
});
export type StoredBacktest = z.infer<typeof StoredBacktest>;

export const StoredLifecycle = z.object({
  state: z.enum(['shadow', 'live']),
  reason: z.string(),
  detail: z.string(),
  /** When the state was entered (epoch ms); live results are counted from here. */
  since: z.number(),
  /** Live by an override until then (epoch ms); past it, only an all-green gate keeps it live. */
  overrideExpiresAt: z.number().optional(),
  /**
   * Each venue account's equity when the strategy went live: its live drawdown is measured from it, the
   * same in risk (its venue's) and the readiness command (their sum), whatever other strategies did since.
   */
  equityAtLive: z.record(z.string(), z.number()).optional(),
});
export type StoredLifecycle = z.infer<typeof StoredLifecycle>;
