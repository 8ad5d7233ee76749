import { MarketRegime } from '@ballast/contracts';
import { z } from 'zod';

/** The risk manager's own variables; limits come from core's RiskLimits defaults unless given as JSON. */
export const riskConfigSchema = z.object({
  RISK_VENUE: z
    .string()
    .regex(/^[a-z][a-z0-9]*$/)
    .default('binance'),
  EXCHANGE_BASE_URL: z.url().optional(),
  EXCHANGE_API_KEY: z.string().min(1).optional(),
  EXCHANGE_API_SECRET: z.string().min(1).optional(),
  /** Account equity in quote money; when unset it is read from the venue's balance of RISK_QUOTE_ASSET. */
  RISK_EQUITY: z.coerce.number().positive().optional(),
  RISK_QUOTE_ASSET: z.string().min(1).default('USDT'),
  /** Used until a regime arrives with features. */
  RISK_DEFAULT_REGIME: MarketRegime.default('trending'),
  RISK_LIMITS_JSON: z.string().optional(),
  /**
   * Refuse new entries on a venue until reconciliation reports it `reconciled` (and while it reports
   * `unreconciled` or `unknown`). Off where no reconciliation runs (backtests, the demo).
   */
  RISK_REQUIRE_RECON: z.stringbool().default(false).optional(),
  /**
   * Keep strategy_hour_stats current with every closed trade (the signals veto reads it). Off where the
   * statistics must not move during a run (backtests).
   */
  RISK_HOUR_STATS: z.stringbool().default(true).optional(),
});

export type RiskConfig = z.output<typeof riskConfigSchema>;
