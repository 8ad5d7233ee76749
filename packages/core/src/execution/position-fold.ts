import { type Fill, type OrderSide, type PositionSide, symbolAssets } from '@ballast/contracts';

/** A net position in one market: signed by side, with what closing parts of it earned. */
export type NetPosition = {
  side: PositionSide;
  qty: number;
  avgEntry: number;
  realizedPnl: number;
  fees: number;
};

/** Where a fill's fee was charged, relative to its market: `other` is a third asset (BNB on Binance). */
export type FeeIn = 'base' | 'quote' | 'other';

/** A fill as the fold reads it: `fee` is an amount of the asset `feeIn` names. */
export type PositionFill = { side: OrderSide; qty: number; price: number; fee: number; feeIn: FeeIn };

/** Which side of `symbol` (`BASE-QUOTE`, e.g. BTC-USDT) an asset a fee was charged in is. */
export function feeIn(symbol: string, feeAsset: string): FeeIn {
  const { base, quote } = symbolAssets(symbol);
  return feeAsset === quote ? 'quote' : feeAsset === base ? 'base' : 'other';
}

/** A recorded fill of `side` on `symbol`, as every fold (orders, reconciliation, backtest) reads it. */
export function positionFill(
  symbol: string,
  side: OrderSide,
  fill: Pick<Fill, 'qty' | 'price' | 'fee' | 'feeAsset'>,
): PositionFill {
  return { side, qty: fill.qty, price: fill.price, fee: fill.fee, feeIn: feeIn(symbol, fill.feeAsset) };
}

export const FLAT: NetPosition = { side: 'long', qty: 0, avgEntry: 0, realizedPnl: 0, fees: 0 };

/**
 * Folds one fill into a net position: same-direction fills average the entry; opposite fills
 * realise (exit − entry) × qty for a long (the reverse for a short) and may flip the side.
 * Fees accumulate separately, in the quote asset, so realised pnl stays a price result.
 *
 * A fee in the base asset is base the account no longer holds: a buy adds qty − fee, a sell removes
 * qty + fee (those units leave at the fill's price), and the fee counts at its quote value, fee × price.
 * A fee in a third asset (BNB) leaves the quantity alone and counts 0 here: without that asset's price
 * its value is unknown, and adding BNB to USDT would be wrong. Callers that can say so log it.
 */
export function applyFill(position: NetPosition, fill: PositionFill): NetPosition {
  const fillSide: PositionSide = fill.side === 'buy' ? 'long' : 'short';
  const inBase = fill.feeIn === 'base' ? fill.fee : 0;
  const fees = position.fees + (fill.feeIn === 'quote' ? fill.fee : inBase * fill.price);
  // Base units the fill moves: a base fee is deducted from what a buy brings or added to what a sell takes.
  const moved = fill.side === 'buy' ? fill.qty - inBase : fill.qty + inBase;
  if (moved <= 0) return { ...position, fees };
  if (position.qty === 0 || position.side === fillSide) {
    const qty = position.qty + moved;
    const avgEntry = (position.qty * position.avgEntry + moved * fill.price) / qty;
    return { ...position, side: fillSide, qty, avgEntry, fees };
  }
  const closed = Math.min(position.qty, moved);
  const perUnit = position.side === 'long' ? fill.price - position.avgEntry : position.avgEntry - fill.price;
  const realizedPnl = position.realizedPnl + closed * perUnit;
  const left = position.qty - closed;
  const flipped = moved - closed;
  if (flipped > position.qty * 1e-12) {
    return { side: fillSide, qty: flipped, avgEntry: fill.price, realizedPnl, fees };
  }
  return { ...position, qty: left <= position.qty * 1e-9 ? 0 : left, realizedPnl, fees };
}

/** Whose a position is: the strategy that took it, and the correlation id of the decision behind it. */
export type PositionOwner = { strategy: string | null; correlationId: string | null };

/** A fill opens a position when it finds the market flat, or flips it to the other side. */
export function opensPosition(before: NetPosition, after: NetPosition): boolean {
  return before.qty === 0 || after.side !== before.side;
}

/**
 * A position belongs to the order whose fill opened (or flipped) it. Exits carry no strategy (a stop
 * or take-profit placed by the stop manager, a flatten, a fill reconciliation records), so they leave
 * the owner as it was: the closed trade counts for the strategy that took it, and its events join the
 * chain of the decision that opened it. A position whose opening was not seen takes the fill's owner.
 */
export function positionOwner(
  opens: boolean,
  owner: PositionOwner | undefined,
  fillOwner: PositionOwner,
): PositionOwner {
  return opens || !owner ? fillOwner : owner;
}
