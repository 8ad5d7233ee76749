import { MarketRegime } from '@ballast/contracts';
import { stopLimitOffsetVariables, timerMs, timerMsOrZero } from '@ballast/service-kit';
import { z } from 'zod';

/** How long an approved entry's reservation lasts when neither its fill nor its refusal is heard of. */
export const DEFAULT_PENDING_TTL_MS = 300_000;

/**
 * How old the last `recon.status` may be before a venue counts as unreconciled: three of
 * reconciliation's default runs (RECON_INTERVAL_MS 30 s, a status published at the end of each).
 */
export const DEFAULT_RECON_MAX_AGE_MS = 90_000;

/** How long an entry waits for the venue's REST depth before it is denied `liquidity`. */
export const DEFAULT_REST_BOOK_TIMEOUT_MS = 5_000;

/**
 * How often a held market's REST depth is read to mark equity while its streamed book is not trusted
 * (after a restart, until market-data's next snapshot, up to PLANNED_RECONNECT_MS). Each read is one
 * depth request per such market (weight 50 on Binance at 1,000 levels).
 */
export const DEFAULT_REST_MARK_INTERVAL_MS = 30_000;
export const DEFAULT_UNMARKED_GRACE_MS = 600_000;
/** How stale the stored equity may get between marks: the start of a UTC day begun while risk is down. */
export const DEFAULT_EQUITY_STORE_INTERVAL_MS = 60_000;

/**
 * The risk manager's own variables; limits come from core's RiskLimits defaults unless given as JSON.
 * The durations have no default here: the backtest builds this config in code without them, so the risk
 * manager applies the DEFAULT_* each names, in one place for both.
 */
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
  /**
   * The regime a candidate without one (published before candidates carried it) is sized for. Unset: the
   * regime the limits' regimeScale sizes smallest, volatile by default (core cautiousRegime, ADR 29).
   */
  RISK_DEFAULT_REGIME: MarketRegime.optional(),
  RISK_LIMITS_JSON: z.string().optional(),
  /**
   * The stops service's variable, read here too: the limits' stopExitAllowanceBps must be at least it,
   * else risk refuses to start (and refuses such stored limits); and an entry is sized so that stopped
   * out at the stop-limit's limit, this far beyond its stop, it still loses at most its risk budget.
   * Unset (a config built in code that leaves it out): nothing to cover, and entries are sized for the
   * stops service's default, DEFAULT_STOP_LIMIT_OFFSET_BPS.
   */
  STOP_LIMIT_OFFSET_BPS: stopLimitOffsetVariables.STOP_LIMIT_OFFSET_BPS.optional(),
  /**
   * The venue's taker fee, in basis points of a fill's notional (10: Binance spot's 0.1 %): an entry is
   * sized so that with this paid on its entry and on its stop's exit it loses at most its risk budget.
   * Set it to the account's fee tier. Unset in a config built in code: core's DEFAULT_EXIT_COSTS (10).
   */
  RISK_TAKER_FEE_BPS: z.coerce.number().min(0).max(1000).default(10).optional(),
  /**
   * Refuse new entries on a venue until reconciliation reports it `reconciled` (and while it reports
   * `unreconciled` or `unknown`). Unset: on for a live account (ORDERS_VENUE_KIND=ccxt), off on paper
   * and where no reconciliation runs (backtests, the demo); see `requiresRecon`.
   */
  RISK_REQUIRE_RECON: z.stringbool().optional(),
  /**
   * The kind of venue the orders service trades on (its own ORDERS_VENUE_KIND): a live account trades
   * only on a reconciled venue unless RISK_REQUIRE_RECON=false says otherwise.
   */
  ORDERS_VENUE_KIND: z.enum(['ccxt', 'paper']).optional(),
  /**
   * With RISK_REQUIRE_RECON, a venue whose last `recon.status` was published longer ago than this (on
   * the service clock) counts as unreconciled: a reconciliation that stopped must not leave its last
   * `reconciled` in force. Above RECON_INTERVAL_MS plus a run's length. Unset: DEFAULT_RECON_MAX_AGE_MS.
   */
  RISK_RECON_MAX_AGE_MS: z.coerce.number().int().positive().optional(),
  /**
   * Keep strategy_hour_stats current with every closed trade (the signals veto reads it). Off where the
   * statistics must not move during a run (backtests).
   */
  RISK_HOUR_STATS: z.stringbool().default(true).optional(),
  /**
   * Demote a live strategy to shadow when its live results degrade or its override expired (core's
   * reviewLive), after each of its closed trades and every RISK_LIFECYCLE_REVIEW_MS. Off in backtests.
   */
  RISK_LIFECYCLE_REVIEW: z.stringbool().default(true).optional(),
  /** Unset: DEFAULT_LIFECYCLE_REVIEW_MS. */
  RISK_LIFECYCLE_REVIEW_MS: timerMs(),
  /**
   * An approved entry counts against the limits until its fills show in the position or its order is
   * refused or cancelled, for at most this long (on the service clock): a lost order must not hold
   * its market forever. Longer than an order takes to fill, TWAP included. Unset: DEFAULT_PENDING_TTL_MS.
   */
  RISK_PENDING_TTL_MS: z.coerce.number().int().positive().optional(),
  /**
   * Entries are sized (the liquidity cap) against the streamed md.book while it is in sequence since a
   * snapshot and updated within this long; otherwise against the venue's public REST depth (after a
   * restart the book consumer resumes on deltas, and market-data sends a snapshot only when it resyncs).
   * Unset: core's DEFAULT_BOOK_MAX_AGE_MS.
   */
  RISK_BOOK_MAX_AGE_MS: z.coerce.number().int().positive().optional(),
  /**
   * How long a REST depth read may take: risk decides one signal at a time, so a venue that does not
   * answer must not hold the next. Past it the entry is denied `liquidity`, saying why. Unset:
   * DEFAULT_REST_BOOK_TIMEOUT_MS.
   */
  RISK_REST_BOOK_TIMEOUT_MS: timerMs(),
  /**
   * While a held market's streamed book is not trusted, its equity mark is read from the venue's REST
   * depth this often, until a trusted book marks it: otherwise the equity the halts measure stays at the
   * start's marks for hours while prices move. 0: off (the backtest, whose books are always trusted).
   * Unset: DEFAULT_REST_MARK_INTERVAL_MS.
   */
  RISK_REST_MARK_INTERVAL_MS: timerMsOrZero(),
  /**
   * How long after a start the halts wait for a held market's first mark (its REST depth or a trusted
   * book) before they measure it at cost: the stored peak may hold its open gain, so measuring at once
   * could latch a false halt, and waiting for ever would leave every halt off (checked each REST mark
   * interval). Unset: DEFAULT_UNMARKED_GRACE_MS.
   */
  RISK_UNMARKED_GRACE_MS: z.coerce.number().int().nonnegative().optional(),
  /**
   * A mark that moves only the equity is stored at most this often: after a restart on a new UTC day
   * the stored equity is the day's start, and one stored only at the last fill or new peak (hours
   * before) let the day's loss run past the limit, or charged yesterday's to today. 0: only with a
   * peak, day or halt change (the backtest, which never restarts). Unset: DEFAULT_EQUITY_STORE_INTERVAL_MS.
   */
  RISK_EQUITY_STORE_INTERVAL_MS: z.coerce.number().int().nonnegative().optional(),
});

export type RiskConfig = z.output<typeof riskConfigSchema>;

/**
 * Whether entries wait for reconciliation: as RISK_REQUIRE_RECON says, and when it is unset for a live
 * account (ORDERS_VENUE_KIND=ccxt): a live stack started without its reconciliation then opens nothing,
 * with a reason, rather than trading on records nothing checks.
 */
export function requiresRecon(config: Pick<RiskConfig, 'RISK_REQUIRE_RECON' | 'ORDERS_VENUE_KIND'>): boolean {
  return config.RISK_REQUIRE_RECON ?? config.ORDERS_VENUE_KIND === 'ccxt';
}
