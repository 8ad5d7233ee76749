import {
  applyFill,
  FLAT,
  type NetPosition,
  opensPosition,
  type PositionFill,
  type PositionOwner,
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
};

/**
 * One market's position as the recorded fills leave it: the orders service keeps one net position per
 * exchange and symbol (its position id). `qty` is 0 when it is flat; `enteredAt` stays the time of
 * the latest position's entry, so a close not yet seen can still be dated. Realised pnl and fees are
 * cumulated over the position id, as in the position events. `strategy` is the position's owner as
 * the orders service names it (positionOwner): the strategy of the fill that opened it.
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
  const owners = new Map<string, PositionOwner>();
  const slots = new Map<string, PositionSlot>();
  for (const fill of fills) {
    const positionId = marketKey(fill.exchange, fill.symbol);
    const before = nets.get(positionId) ?? FLAT;
    const after = applyFill(before, fill);
    nets.set(positionId, after);
    const opens = opensPosition(before, after);
    if (opens) entered.set(positionId, fill.time);
    const owner = positionOwner(opens, owners.get(positionId), {
      strategy: fill.strategy,
      correlationId: null,
    });
    owners.set(positionId, owner);
    slots.set(positionId, {
      positionId,
      exchange: fill.exchange,
      symbol: fill.symbol,
      side: after.side,
      qty: after.qty,
      entry: after.avgEntry,
      enteredAt: entered.get(positionId) ?? fill.time,
      strategy: owner.strategy,
      realizedPnl: after.realizedPnl,
      fees: after.fees,
    });
  }
  return [...slots.values()];
}
