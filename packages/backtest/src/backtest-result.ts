import type { MarketRules } from '@ballast/core';
import { z } from 'zod';
import type { BacktestConfig } from './backtest-config';
import type { MarketRulesSource } from './market-rules-source';
import type { BacktestMetrics } from './metrics';
import type { RecordedVerdictsSummary } from './recorded-verdicts';

/** One round trip: from flat to flat in one market. Times are epoch ms of the first and last fill. */
export interface BacktestTrade {
  symbol: string;
  side: 'long' | 'short';
  strategy: string | null;
  entry_time: number;
  exit_time: number;
  /** Total quantity bought (long) or sold (short) to open. */
  qty: number;
  /**
   * Quantity the closing fills sold: less than `qty` by a fee taken from the base bought and by any dust
   * left (a remainder no order can sell, carried into the market's next trade), more by the dust an
   * earlier trade left, which this one sold with its own (its move since then realised in this trade).
   */
  exit_qty?: number;
  /** Quantity-weighted average of the opening fills. */
  entry_price: number;
  /** Quantity-weighted average of the closing fills. */
  exit_price: number;
  /** Every fee paid on the trade's fills, in the quote asset. */
  fees: number;
  /** Realised price result minus fees. */
  pnl: number;
  /** stop, take_profit, end_of_data, or other (a close not sent by the stops service or the runtime). */
  exit_reason: 'stop' | 'take_profit' | 'end_of_data' | 'other';
}

/**
 * Dust still held after the end-of-data close (a remainder no order could sell): in no trade's pnl, its
 * move since entry is what final equity holds beyond the trades' (initial + Σ pnl + Σ unrealized_pnl).
 */
export interface BacktestDust {
  symbol: string;
  qty: number;
  entry_price: number;
  /** The last quoted price, at which final equity marks it. */
  mark_price: number;
  unrealized_pnl: number;
}

/** Account value after each replayed step, marked at the step's quoted price. */
export interface EquityPoint {
  time: number;
  equity: number;
  /** True when any position was held after the step. */
  exposed: boolean;
}

/** What became of one signal candidate. */
export interface BacktestDecision {
  /** The candidate's id (derived from its strategy, market, bar and side): the key of live's decision. */
  candidate_id: string;
  time: number;
  symbol: string;
  strategy: string;
  side: 'long' | 'short';
  entry: number;
  stop: number;
  /**
   * `approved`, `veto:<reason>`, `review_rejected`, `denied:<risk reason>`, or (`agents: 'recorded'`)
   * `no_recorded_verdict`.
   */
  outcome: string;
}

export interface BacktestCandle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/** A backtest's costs and review, as its config gave them (hourStats and minHourTrades only when given). */
export type BacktestGateSettings = Pick<BacktestConfig, 'takerFee' | 'makerFee' | 'slippageBps' | 'agents'> &
  Partial<Pick<BacktestConfig, 'hourStats' | 'minHourTrades'>>;

export interface BacktestResult {
  meta: {
    symbols: string[];
    timeframe: string;
    from: number;
    to: number;
    candles: number;
    seed: number;
    initial_equity: number;
    fill_model: string;
    /** The tick, step and minimums each symbol's orders were rounded and refused with, and their source. */
    market_rules: Record<string, MarketRules & { source: MarketRulesSource }>;
    /**
     * The settings a go-live gate judges a backtest's costs and review by (cheaper or unreviewed ones
     * promote only as green_loosened; an hour table given to it is in-sample): absent from results
     * written before they were recorded.
     */
    gate_settings?: BacktestGateSettings;
    /** `agents: 'recorded'` only: how many candidates were decided by a recorded decision, how many by none. */
    recorded_verdicts?: RecordedVerdictsSummary;
  };
  trades: BacktestTrade[];
  /** Dust held at the end; absent from results written before it was reported. */
  dust?: BacktestDust[];
  equity: EquityPoint[];
  decisions: BacktestDecision[];
  metrics: BacktestMetrics;
}

/**
 * What a go-live gate reads of a backtest result file (`ballast backtest --json`): its span, its trades
 * and the metrics it judges. An optimize result has the span but neither of the others.
 */
export const GatedBacktestFile = z.object({
  meta: z.looseObject({ from: z.number(), to: z.number() }),
  trades: z.array(z.unknown()),
  metrics: z.looseObject({ trades: z.number(), expectancy: z.number(), max_drawdown_pct: z.number() }),
});

const LACKS = { meta: 'no meta.from/to', trades: 'no trades', metrics: 'no metrics' } as const;

/** What of GatedBacktestFile `json` lacks, one phrase per part, in the schema's order; empty when none. */
export function missingOfBacktest(json: unknown): string[] {
  const parsed = GatedBacktestFile.safeParse(json);
  if (parsed.success) return [];
  const parts = parsed.error.issues.map((i) => i.path[0]);
  if (parts.includes(undefined)) return Object.values(LACKS);
  return Object.entries(LACKS)
    .filter(([part]) => parts.includes(part))
    .map(([, phrase]) => phrase);
}
