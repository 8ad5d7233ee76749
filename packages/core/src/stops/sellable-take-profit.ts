import { smallestOrderQty, smallestSliceQty } from '../execution/smallest-order';
import type { MarketRules } from '../risk/market-rules';
import { roundDownToStep } from '../risk/precision';

/** Why a take-profit does not sell the piece its fraction planned (machine-readable, for events). */
export type TakeProfitResize = 'piece_below_minimum' | 'rest_below_minimum' | 'position_below_minimum';

export interface SellableTakeProfit {
  closeQty: number;
  resized: TakeProfitResize | null;
}

/**
 * What a take-profit can sell given the venue's minimums (min qty, min notional, step). The piece is
 * valued at `piecePrice` with SLICE_NOTIONAL_MARGIN above the minimum notional (a market order, judged
 * on the average price); what stays must still take a stop, valued at `restStopPrice` (a stop-limit's
 * limit: Binance checks MIN_NOTIONAL at the order's price).
 *
 * A split the venue would refuse becomes the whole position at this level, not a skipped piece:
 * skipping leaves all of it riding, its profit unrealised, on a breakeven stop-limit that a gap can
 * jump, and the next level meets the same minimum; the whole sells in one order the venue takes and
 * leaves nothing that cannot be protected. A position too small to sell at all sells nothing: the
 * ladder then only moves the stop (which the venue already took on that quantity, at a lower price).
 */
export function sellableTakeProfit(input: {
  plannedQty: number;
  remainingQty: number;
  rules: Pick<MarketRules, 'stepSize' | 'minQty' | 'minNotional'>;
  piecePrice: number;
  restStopPrice: number;
}): SellableTakeProfit {
  const { plannedQty, remainingQty, rules } = input;
  const smallest = (price: number) => Math.max(smallestOrderQty(rules, price), rules.stepSize);
  // The piece goes out at market, which Binance judges on its 5-minute average price, below the level a
  // rally just reached: valued at the level it needs the margin a TWAP slice has, or it is refused.
  const smallestPiece = Math.max(smallestSliceQty(rules, input.piecePrice), rules.stepSize);
  if (remainingQty < smallestPiece) return { closeQty: 0, resized: 'position_below_minimum' };
  if (plannedQty < smallestPiece) return { closeQty: remainingQty, resized: 'piece_below_minimum' };
  const rest = roundDownToStep(remainingQty - plannedQty, rules.stepSize);
  if (rest > 0 && rest < smallest(input.restStopPrice))
    return { closeQty: remainingQty, resized: 'rest_below_minimum' };
  return { closeQty: plannedQty, resized: null };
}
