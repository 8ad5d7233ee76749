import { z } from 'zod';
import type { RiskLimits } from './risk-limits';
import { applyEquityMark, applyUnvaluedEquity } from './risk-reducers';
import { HaltRecord, type RiskState } from './risk-state';

/**
 * What the drawdown and daily-loss limits measure from, kept across a restart: without it every
 * restart started from a new peak and a new day, with no halt, so each crash or deploy gave a fresh
 * drawdown and daily-loss budget and lifted a drawdown halt no one had resumed.
 */
export const EquityBaseline = z.object({
  /** The last equity risk knew: the start of a day that began while risk was down. */
  equity: z.number(),
  peakEquity: z.number(),
  day: z.number(),
  dayStartEquity: z.number(),
  dailyLossHalt: HaltRecord.nullable(),
  drawdownHalt: HaltRecord.nullable(),
});
export type EquityBaseline = z.infer<typeof EquityBaseline>;

/** The bot_state key of a venue account's equity baseline (risk writes it; the readiness gate reads it). */
export const equityBaselineKey = (venue: string): string => `risk-equity:${venue}`;

export function equityBaseline(state: RiskState): EquityBaseline {
  const { equity, peakEquity, day, dayStartEquity, dailyLossHalt, drawdownHalt } = state;
  return { equity, peakEquity, day, dayStartEquity, dailyLossHalt, drawdownHalt };
}

/** Whether two baselines hold the same figures and halts (a write is needed only when they differ). */
export function sameEquityBaseline(a: EquityBaseline, b: EquityBaseline): boolean {
  return (
    a.equity === b.equity &&
    a.peakEquity === b.peakEquity &&
    a.day === b.day &&
    a.dayStartEquity === b.dayStartEquity &&
    sameHalt(a.dailyLossHalt, b.dailyLossHalt) &&
    sameHalt(a.drawdownHalt, b.drawdownHalt)
  );
}

function sameHalt(a: HaltRecord | null, b: HaltRecord | null): boolean {
  if (a === null || b === null) return a === b;
  return a.limit === b.limit && a.value === b.value && a.at === b.at;
}

/**
 * The state a restart starts from: `fresh` (initialRiskState of the equity read at start) on the stored
 * baseline, the equity read at start then taken as one equity mark at `now`, as the running service
 * would have taken it. So the halts stay latched; a day that began while risk was down starts from the
 * last equity known before it, with no daily halt; the peak never falls; and a limit reached while risk
 * was down (a balance read lower) latches its halt. Nothing stored: `fresh` as it is.
 *
 * Not `valued` (a position held at the restart has no mark: its REST depth could not be read): the equity is taken
 * without measuring it (applyUnvaluedEquity). The stored peak and day's start may hold that position's
 * open gain, which its cost would read as a loss: a halt latched on it would be false, and latched
 * halts stay. The halts are measured again from the position's first mark (marked-equity.ts `equityValued`).
 */
export function restoreEquityBaseline(
  fresh: RiskState,
  stored: EquityBaseline | undefined,
  limits: RiskLimits,
  now: number,
  valued = true,
): RiskState {
  if (!stored) return fresh;
  const mark = { equity: fresh.equity, time: now };
  const restored = { ...fresh, ...stored };
  return valued ? applyEquityMark(restored, mark, limits) : applyUnvaluedEquity(restored, mark);
}
