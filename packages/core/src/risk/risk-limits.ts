import { z } from 'zod';

const Fraction = z.number().positive().max(1);
/**
 * A fraction of equity that at its top is no limit at all, and whose likely mistake is a percent: 1
 * meant as 1 % of equity per trade is all of it, and a daily-loss or drawdown halt at 1 (100 %) never
 * latches before the account is empty. Refused above `max`, saying how a percent is written.
 */
const boundedFraction = (max: number, example: string) =>
  z.number().positive().max(max, `at most ${max}: a fraction of equity, not a percent (${example})`);
const HOUR_MS = 3_600_000;

/**
 * The risk manager's limits. Fractions are of current equity unless named otherwise;
 * `dailyLoss` is of start-of-UTC-day equity and `maxDrawdown` of peak equity. A field this does not
 * name is refused, not dropped: a misspelt limit (`maxDrawdownPct`, `daily_loss`) would otherwise leave
 * its default in force while the operator believes theirs is.
 */
export const RiskLimits = z.strictObject({
  /** Money lost if the stop is hit, as a fraction of equity: size = risk amount / stop distance. */
  riskPerTrade: boundedFraction(0.1, '0.01 is 1 %').default(0.01),
  /** One market's position notional (at entry prices); larger risk-based sizes are cut to fit. */
  maxPositionNotional: Fraction.default(0.15),
  /**
   * Sum of all positions' notional (at entry prices). Above 1 only where the venue lends (margin,
   * perpetuals); above 3× equity is no limit any account here trades, and its likely mistake is a percent
   * (50 meant as 50 %), which would let every position be opened to its own cap.
   */
  maxExposure: boundedFraction(3, '0.5 is 50 %').default(0.5),
  /** Sum over open positions of qty × distance from entry to stop. */
  maxOpenRisk: Fraction.default(0.06),
  maxOpenPositions: z.number().int().positive().default(5),
  /**
   * Whether short entries may be opened. Off by default: on a spot account a "short" sell either fails
   * for want of the base asset or, worse, sells holdings the operator never meant to trade. Turn it on
   * only for a venue that can borrow (margin, perpetuals).
   */
  allowShort: z.boolean().default(false),
  /**
   * An entry must stay sellable at its stop: its notional at the stop moved this many basis points
   * further against it must meet the venue's minimum. It must cover the stop-limit's limit offset (the
   * stop service's STOP_LIMIT_OFFSET_BPS, 50 by default; see coversStopLimitOffset); below the minimum
   * the venue refuses the stop and the take-profits, and the position could only be flattened.
   */
  stopExitAllowanceBps: z.number().min(0).max(1000).default(100),
  /**
   * How far, in basis points, an entry's price may lie from the mid of the book it is sized against (the
   * touch when one side is empty); further, it is denied `entry_off_market`. An entry
   * is sized at its own price but sent at market: a price the market has left would make its notional
   * and its loss at the stop larger than the limits allowed.
   */
  maxEntryGapBps: z.number().positive().max(10_000).default(50),
  /**
   * How old a signal may be when risk decides it (from its sig.decision's event time, on risk's clock);
   * older, it is denied `stale_signal`: a backlog delivered after an outage is not the market now.
   */
  maxSignalAgeMs: z.number().int().positive().default(60_000),
  /** Reward to the nearest take-profit over risk to the stop. */
  minRewardRisk: z.number().positive().default(1.5),
  liquidity: z
    .strictObject({
      /** Largest share of the visible depth an order may take. */
      maxDepthFraction: Fraction,
      /** Depth counts from the touch out to this many basis points on the side the order takes. */
      depthBandBps: z.number().positive(),
    })
    .default({ maxDepthFraction: 0.1, depthBandBps: 50 }),
  /** Size multiplier per market regime; the volatility regime's positionScale multiplies too. */
  regimeScale: z
    .strictObject({
      trending: z.number().min(0).max(1),
      choppy: z.number().min(0).max(1),
      volatile: z.number().min(0).max(1),
    })
    .default({ trending: 1, choppy: 0.5, volatile: 0.25 }),
  /** Loss from start-of-UTC-day equity that stops new entries until the next UTC day. */
  dailyLoss: boundedFraction(0.5, '0.05 is 5 %').default(0.05),
  /** Drawdown from peak equity that halts new entries until an explicit resume. */
  maxDrawdown: boundedFraction(0.9, '0.15 is 15 %').default(0.15),
  /**
   * Pause after consecutive losing trades, counted from the last loss's close time.
   * The step with the largest `losses` not above the streak applies.
   */
  lossStreakPauses: z
    .array(z.strictObject({ losses: z.number().int().positive(), pauseMs: z.number().int().nonnegative() }))
    .default([
      { losses: 2, pauseMs: 2 * HOUR_MS },
      { losses: 3, pauseMs: 6 * HOUR_MS },
      { losses: 4, pauseMs: 24 * HOUR_MS },
    ]),
});
export type RiskLimits = z.infer<typeof RiskLimits>;

export const DEFAULT_RISK_LIMITS: RiskLimits = RiskLimits.parse({});
