import type { OrderSide, PositionSide } from '@ballast/contracts';
import { roundDownToStep, roundToStep } from '../risk/precision';

/** The protective order for one position: it sells a long and buys back a short. */
export interface StopPlan {
  side: OrderSide;
  qty: number;
  stopPrice: number;
}

/** Why no stop can be planned; the caller flattens instead of leaving the position bare. */
export type StopPlanRefusal = {
  ok: false;
  reason: 'qty_below_step' | 'stop_on_wrong_side';
  detail: string;
};

export interface StopPlanInput {
  positionSide: PositionSide;
  /** The position's whole open quantity. */
  positionQty: number;
  avgEntry: number;
  /** The intent's stop; null when the position has no known intent (then `fallbackPct` applies). */
  intentStop: number | null;
  /** Distance from entry used when no intent stop is known, e.g. 0.02 for 2 %. */
  fallbackPct: number;
  stepSize: number;
  tickSize: number;
}

export function closingSide(positionSide: PositionSide): OrderSide {
  return positionSide === 'long' ? 'sell' : 'buy';
}

/** True when a stop at `stopPrice` sits on the losing side of `reference` for this position. */
export function isProtective(positionSide: PositionSide, stopPrice: number, reference: number): boolean {
  return positionSide === 'long' ? stopPrice < reference : stopPrice > reference;
}

/** Stop for a position after an entry fill: the intent's stop price, qty = position rounded down to step. */
export function planStop(input: StopPlanInput): ({ ok: true } & StopPlan) | StopPlanRefusal {
  const qty = roundDownToStep(input.positionQty, input.stepSize);
  if (qty <= 0)
    return {
      ok: false,
      reason: 'qty_below_step',
      detail: `position ${input.positionQty} < step ${input.stepSize}`,
    };
  const sign = input.positionSide === 'long' ? -1 : 1;
  const raw = input.intentStop ?? input.avgEntry * (1 + sign * input.fallbackPct);
  const stopPrice = roundToStep(raw, input.tickSize);
  if (!(stopPrice > 0) || !isProtective(input.positionSide, stopPrice, input.avgEntry))
    return {
      ok: false,
      reason: 'stop_on_wrong_side',
      detail: `stop ${stopPrice} does not protect a ${input.positionSide} entered at ${input.avgEntry}`,
    };
  return { ok: true, side: closingSide(input.positionSide), qty, stopPrice };
}
