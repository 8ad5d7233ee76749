import type { OrderSide, PositionSide } from '@ballast/contracts';

/** A net position in one market: signed by side, with what closing parts of it earned. */
export type NetPosition = {
  side: PositionSide;
  qty: number;
  avgEntry: number;
  realizedPnl: number;
  fees: number;
};

export type PositionFill = { side: OrderSide; qty: number; price: number; fee: number };

export const FLAT: NetPosition = { side: 'long', qty: 0, avgEntry: 0, realizedPnl: 0, fees: 0 };

/**
 * Folds one fill into a net position: same-direction fills average the entry; opposite fills
 * realise (exit − entry) × qty for a long (the reverse for a short) and may flip the side.
 * Fees accumulate separately so realised pnl stays a price result.
 */
export function applyFill(position: NetPosition, fill: PositionFill): NetPosition {
  const fillSide: PositionSide = fill.side === 'buy' ? 'long' : 'short';
  const fees = position.fees + fill.fee;
  if (position.qty === 0 || position.side === fillSide) {
    const qty = position.qty + fill.qty;
    const avgEntry = (position.qty * position.avgEntry + fill.qty * fill.price) / qty;
    return { ...position, side: fillSide, qty, avgEntry, fees };
  }
  const closed = Math.min(position.qty, fill.qty);
  const perUnit = position.side === 'long' ? fill.price - position.avgEntry : position.avgEntry - fill.price;
  const realizedPnl = position.realizedPnl + closed * perUnit;
  const left = position.qty - closed;
  const flipped = fill.qty - closed;
  if (flipped > position.qty * 1e-12) {
    return { side: fillSide, qty: flipped, avgEntry: fill.price, realizedPnl, fees };
  }
  return { ...position, qty: left <= position.qty * 1e-9 ? 0 : left, realizedPnl, fees };
}

/**
 * The strategy a position belongs to: the one whose fill opened (or flipped) it. Exits carry no strategy
 * (a stop or take-profit placed by the stop manager, a flatten, a fill reconciliation records), so they
 * leave the owner as it was; the closed trade then counts for the strategy that took it.
 */
export function positionOwner(
  before: NetPosition,
  after: NetPosition,
  owner: string | null,
  fillStrategy: string | null,
): string | null {
  const opened = before.qty === 0 || after.side !== before.side;
  return opened ? fillStrategy : (owner ?? fillStrategy);
}
