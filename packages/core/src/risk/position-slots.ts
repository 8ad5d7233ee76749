import type { Fill, OrderSide } from '@ballast/contracts';
import type { TradableRules } from '../execution/dust';
import { foldKept, type KeptPosition, keptPosition, NOTHING_KEPT } from '../execution/kept-position';
import {
  type PositionFill,
  type PositionOwner,
  positionFill,
  positionOwner,
} from '../execution/position-fold';
import { marketKey, type OpenPosition } from './risk-state';

/**
 * A fill of one of our orders as the orders service records it on the order's slice, when it happened,
 * and the strategy of its order (null for exits and fills reconciliation recorded).
 */
export type RecordedFill = PositionFill & {
  exchange: string;
  symbol: string;
  time: number;
  strategy: string | null;
  /**
   * The market's rules when this is the last fill its order will have (filled, or ended by the venue):
   * an exit that leaves dust then closes the position, as the orders service judged it (foldKept).
   */
  endRules?: TradableRules;
};

/** An order as the orders service records it (its slice), with the fills it got. */
export type RecordedOrder = {
  exchange: string;
  symbol: string;
  side: OrderSide;
  strategy: string | null;
  fills: readonly Fill[];
};

/** An order's recorded fills as the fold reads them; `endRules`, when given, on its last one (the order is over). */
export function recordedFills(order: RecordedOrder, endRules?: TradableRules): RecordedFill[] {
  const last = order.fills.at(-1);
  return order.fills.map((f) => ({
    ...positionFill(order.symbol, order.side, f),
    exchange: order.exchange,
    symbol: order.symbol,
    time: f.time,
    strategy: order.strategy,
    ...(endRules && f === last ? { endRules } : {}),
  }));
}

/**
 * One market's position as the recorded fills leave it: the orders service keeps one net position per
 * exchange and symbol (its position id). `qty` is 0 when it is flat or holds only dust; `enteredAt`
 * stays the time of the latest position's entry, so a close not yet seen can still be dated. Realised
 * pnl and fees are cumulated over the position id, as in the position events. `strategy` is the
 * position's owner as the orders service names it (positionOwner): the strategy of the fill that opened it.
 */
export type PositionSlot = Omit<OpenPosition, 'stop'> & {
  /** Time of the fill that opened the latest position (or flipped its side). */
  enteredAt: number;
  realizedPnl: number;
  fees: number;
};

/**
 * Folds recorded fills, in the order they were recorded, the way the orders service folds them into
 * the positions it publishes (foldKept, positionOwner): the durable truth a restarted service starts
 * from. A position closed on dust is flat here too, and the next fill opens a position of its own
 * strategy: otherwise the dust a base-asset fee leaves would keep the market its last strategy's
 * after a restart (market_held).
 */
export function foldPositionSlots(fills: Iterable<RecordedFill>): PositionSlot[] {
  const kept = new Map<string, KeptPosition>();
  const entered = new Map<string, number>();
  const owners = new Map<string, PositionOwner>();
  const slots = new Map<string, PositionSlot>();
  for (const fill of fills) {
    const positionId = marketKey(fill.exchange, fill.symbol);
    const step = foldKept(kept.get(positionId) ?? NOTHING_KEPT, fill, fill.endRules);
    kept.set(positionId, step.kept);
    if (step.opens) entered.set(positionId, fill.time);
    const fillOwner = { strategy: fill.strategy, correlationId: null };
    const owner = positionOwner(step.opens, owners.get(positionId), fillOwner);
    owners.set(positionId, owner);
    const held = keptPosition(step.kept);
    slots.set(positionId, {
      positionId,
      exchange: fill.exchange,
      symbol: fill.symbol,
      side: held.side,
      qty: held.qty,
      entry: held.avgEntry,
      enteredAt: entered.get(positionId) ?? fill.time,
      strategy: owner.strategy,
      realizedPnl: held.realizedPnl,
      fees: held.fees,
    });
  }
  return [...slots.values()];
}

/**
 * What the open longs among `slots` on `venue` cost at entry: quote money now held as coins, which a
 * venue's quote balance no longer shows but the equity still owns.
 */
export function openLongsCost(slots: readonly PositionSlot[], venue: string): number {
  let cost = 0;
  for (const slot of slots)
    if (slot.exchange === venue && slot.side === 'long' && slot.qty > 0) cost += slot.qty * slot.entry;
  return cost;
}
