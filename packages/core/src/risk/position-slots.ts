import {
  applyFill,
  FLAT,
  type NetPosition,
  opensPosition,
  type PositionFill,
} from '../execution/position-fold';
import { marketKey, type OpenPosition } from './risk-state';

/** A fill of one of our orders as the orders service records it on the order's slice, and when it happened. */
export type RecordedFill = PositionFill & { exchange: string; symbol: string; time: number };

/**
 * One market's position as the recorded fills leave it: the orders service keeps one net position per
 * exchange and symbol (its position id). `qty` is 0 when it is flat; `enteredAt` stays the time of
 * the latest position's entry, so a close not yet seen can still be dated. Realised pnl and fees are
 * cumulated over the position id, as in the position events.
 */
export type PositionSlot = Omit<OpenPosition, 'stop'> & {
  /** Time of the fill that opened the latest position (or flipped its side). */
  enteredAt: number;
  realizedPnl: number;
  fees: number;
};

/**
 * Folds recorded fills, in the order they were recorded, the way the orders service folds them into
 * the positions it publishes: the durable truth a restarted service starts from.
 */
export function foldPositionSlots(fills: Iterable<RecordedFill>): PositionSlot[] {
  const nets = new Map<string, NetPosition>();
  const entered = new Map<string, number>();
  const slots = new Map<string, PositionSlot>();
  for (const fill of fills) {
    const positionId = marketKey(fill.exchange, fill.symbol);
    const before = nets.get(positionId) ?? FLAT;
    const after = applyFill(before, fill);
    nets.set(positionId, after);
    if (opensPosition(before, after)) entered.set(positionId, fill.time);
    slots.set(positionId, {
      positionId,
      exchange: fill.exchange,
      symbol: fill.symbol,
      side: after.side,
      qty: after.qty,
      entry: after.avgEntry,
      enteredAt: entered.get(positionId) ?? fill.time,
      realizedPnl: after.realizedPnl,
      fees: after.fees,
    });
  }
  return [...slots.values()];
}
