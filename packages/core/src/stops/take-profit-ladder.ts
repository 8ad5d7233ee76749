import type { PositionSide } from '@ballast/contracts';
import type { MarketRules } from '../risk/market-rules';
import { roundDownToStep, roundUpToStep } from '../risk/precision';
import { sellableTakeProfit, type TakeProfitResize } from './sellable-take-profit';
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
  /** Set when the venue's minimums changed the planned piece (see sellableTakeProfit). */
  resized: TakeProfitResize | null;
}

function reached(side: PositionSide, level: number, price: number): boolean {
  return side === 'long' ? price >= level : price <= level;
}

/** Whether `price` reaches the ladder's next level: nextTakeProfit returns an action exactly then. */
export function takeProfitReached(side: PositionSide, state: LadderState, price: number): boolean {
  const level = state.levels[state.taken];
  return level !== undefined && reached(side, level, price);
}

/**
 * The exit price at which a trade pays back its fees, so a stop-out at breakeven loses nothing: `feeRate`
 * is the round trip, half of it charged on the entry's notional and half on the exit's. A long exits at p
 * with p·(1 − f/2) = entry·(1 + f/2) (entry·(1 + f) fell short by the exit fee on the gain: 0.2 USDT a
 * coin on a BTC long at 100,000), a short at p·(1 + f/2) = entry·(1 − f/2). Rounded to the tick away
 * from the entry (to the nearest, a long at 100.004 got a "breakeven" stop at 100.00).
 */
export function breakevenPrice(side: PositionSide, entry: number, feeRate: number, tickSize: number): number {
  const half = feeRate / 2;
  return side === 'long'
    ? roundUpToStep((entry * (1 + half)) / (1 - half), tickSize)
    : roundDownToStep((entry * (1 - half)) / (1 + half), tickSize);
}

/**
 * Where the stop goes at a take-profit: breakeven, but never at or beyond the printed price. A level
 * inside the breakeven band (a long's TP1 at 100.15 with breakeven at 100.2) would put the stop on the
 * wrong side of the market, which the venue refuses as triggering at once, and the refusal flattened
 * the position kept; one tick inside the price protects it as closely as the market allows.
 */
function stopAtTakeProfit(side: PositionSide, breakeven: number, price: number, tickSize: number): number {
  return side === 'long'
    ? Math.min(breakeven, roundDownToStep(price - tickSize, tickSize))
    : Math.max(breakeven, roundUpToStep(price + tickSize, tickSize));
}

/**
 * The next ladder step for one printed price, or null. A level closes its fraction of the remaining
 * position (the last configured fraction repeats); the stop moves to breakeven, never loosening.
 * The piece and what stays are both held to the venue's minimums: a split it would refuse closes the
 * whole position instead (sellableTakeProfit). The piece is valued at the lower of the level and the
 * printed price (a long sells at about the print, at or above the level; a short buys back below it).
 */
export function nextTakeProfit(input: {
  side: PositionSide;
  state: LadderState;
  config: LadderConfig;
  price: number;
  remainingQty: number;
  entry: number;
  currentStop: number;
  rules: Pick<MarketRules, 'tickSize' | 'stepSize' | 'minQty' | 'minNotional'>;
  /** The price the venue values a stop at `stop` by: a stop-limit's limit, or the stop itself. */
  stopOrderPrice: (stop: number) => number;
}): TakeProfitAction | null {
  const { state, config, rules } = input;
  const level = state.levels[state.taken];
  if (level === undefined || !reached(input.side, level, input.price)) return null;
  const isLast = state.taken === state.levels.length - 1;
  const fraction =
    isLast && state.taken > 0 ? 1 : (config.fractions[state.taken] ?? config.fractions.at(-1) ?? 0.5);
  const breakeven = breakevenPrice(input.side, input.entry, config.breakevenFeeRate, rules.tickSize);
  const target = stopAtTakeProfit(input.side, breakeven, input.price, rules.tickSize);
  const newStop = ratchetStop(input.side, input.currentStop, target);
  const { closeQty, resized } = sellableTakeProfit({
    plannedQty: roundDownToStep(input.remainingQty * fraction, rules.stepSize),
    remainingQty: input.remainingQty,
    rules,
    piecePrice: Math.min(level, input.price),
    restStopPrice: input.stopOrderPrice(newStop),
  });
  return {
    level: state.taken + 1,
    price: level,
    closeQty,
    newStop,
    next: { levels: state.levels, taken: state.taken + 1 },
    resized,
  };
}
