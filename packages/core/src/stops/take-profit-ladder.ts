import type { PositionSide } from '@ballast/contracts';
import { roundDownToStep, roundToStep } from '../risk/precision';
import { ratchetStop } from './trailing-stop';

/** The ladder's progress: how many take-profit levels have been taken. */
export interface LadderState {
  /** Take-profit prices in the order they are reached. */
  levels: number[];
  /** Levels already taken (0 = none). */
  taken: number;
}

export interface LadderConfig {
  /** Fraction of the remaining position each level closes; TP1 is 0.5 by the rule. */
  fractions: number[];
  /** Breakeven includes the round-trip fee rate, e.g. 0.002 (0 = plain entry). */
  breakevenFeeRate: number;
}

export const DEFAULT_LADDER: LadderConfig = { fractions: [0.5], breakevenFeeRate: 0 };

/** What to do when a level is reached: close `closeQty`, then move the stop to `newStop`. */
export interface TakeProfitAction {
  level: number;
  price: number;
  closeQty: number;
  newStop: number;
  next: LadderState;
}

function reached(side: PositionSide, level: number, price: number): boolean {
  return side === 'long' ? price >= level : price <= level;
}

/** Whether `price` reaches the ladder's next level: nextTakeProfit returns an action exactly then. */
export function takeProfitReached(side: PositionSide, state: LadderState, price: number): boolean {
  const level = state.levels[state.taken];
  return level !== undefined && reached(side, level, price);
}

/** Entry, optionally beyond by the fees paid, so a stop-out at breakeven loses nothing. */
export function breakevenPrice(side: PositionSide, entry: number, feeRate: number, tickSize: number): number {
  return roundToStep(side === 'long' ? entry * (1 + feeRate) : entry * (1 - feeRate), tickSize);
}

/**
 * The next ladder step for one printed price, or null. A level closes its fraction of the remaining
 * position (the last configured fraction repeats); the stop moves to breakeven, never loosening.
 */
export function nextTakeProfit(input: {
  side: PositionSide;
  state: LadderState;
  config: LadderConfig;
  price: number;
  remainingQty: number;
  entry: number;
  currentStop: number;
  stepSize: number;
  tickSize: number;
}): TakeProfitAction | null {
  const { state, config } = input;
  const level = state.levels[state.taken];
  if (level === undefined || !reached(input.side, level, input.price)) return null;
  const isLast = state.taken === state.levels.length - 1;
  const fraction =
    isLast && state.taken > 0 ? 1 : (config.fractions[state.taken] ?? config.fractions.at(-1) ?? 0.5);
  const closeQty = roundDownToStep(input.remainingQty * fraction, input.stepSize);
  const breakeven = breakevenPrice(input.side, input.entry, config.breakevenFeeRate, input.tickSize);
  return {
    level: state.taken + 1,
    price: level,
    closeQty,
    newStop: ratchetStop(input.side, input.currentStop, breakeven),
    next: { levels: state.levels, taken: state.taken + 1 },
  };
}
