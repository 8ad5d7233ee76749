import type { PositionEvent } from '@ballast/contracts';
import { isDust, type TradableRules } from './dust';
import { applyFill, FLAT, type NetPosition, opensPosition, type PositionFill } from './position-fold';

/**
 * One market's fold of our fills as the orders service keeps it. `net.qty` is what the fills leave held,
 * dust included, so it matches the venue's balance (reconciliation folds the same fills). `dust`: the
 * position is closed and what `net` still holds is a remainder the venue will not trade; the position
 * a later fill opens takes it in (and sells it with its own).
 */
export type KeptPosition = { net: NetPosition; dust: boolean };

export const NOTHING_KEPT: KeptPosition = { net: FLAT, dust: false };

/** What a fill did to the position, as its event says; null when it found and left dust (no position). */
export type KeptStep = { kept: KeptPosition; status: PositionEvent['status'] | null; opens: boolean };

/** The position a kept fold stands for: flat when it holds only dust. */
export function keptPosition(kept: KeptPosition): NetPosition {
  return kept.dust ? { ...kept.net, qty: 0 } : kept.net;
}

/**
 * Folds one fill. `endRules`: the market's rules when the fill ended its order (its quantity filled, or
 * the venue closed it); undefined while more of the order is to come (the rest of it still sells the
 * remainder) or when the rules are unknown. An exit that ends its order and leaves dust at the fill's
 * price closes the position. Dust a fill finds is taken in at that fill's price first, its move since
 * its entry realised: the position the fill opens has the fill's own price as entry, and the fold's pnl
 * stays exact.
 */
export function foldKept(
  kept: KeptPosition,
  fill: PositionFill,
  endRules: TradableRules | undefined,
): KeptStep {
  const held = kept.dust ? atPrice(kept.net, fill.price) : kept.net;
  const folded = applyFill(held, fill);
  // Dust and fill both at the fill's price: that is the entry, without an average's binary noise.
  const net = kept.dust ? { ...folded, avgEntry: fill.price } : folded;
  const reduced = net.side === held.side && net.qty < held.qty;
  const dust = kept.dust
    ? net.qty > 0 && net.side === held.side && net.qty <= held.qty
    : net.qty > 0 && reduced && endRules !== undefined && isDust(net.qty, endRules, fill.price);
  const after = { net, dust };
  const before = keptPosition(kept);
  const now = keptPosition(after);
  const status = before.qty === 0 ? (now.qty > 0 ? 'opened' : null) : now.qty <= 1e-12 ? 'closed' : 'changed';
  return { kept: after, status, opens: status !== null && opensPosition(before, now) };
}

/**
 * A position an exit ended on after its last fill was folded (the venue closed a partly filled order):
 * closed when what it holds is dust at `price`, the exit's last fill price.
 */
export function endExit(kept: KeptPosition, rules: TradableRules, price: number): KeptPosition {
  return !kept.dust && kept.net.qty > 0 && isDust(kept.net.qty, rules, price)
    ? { ...kept, dust: true }
    : kept;
}

/** A trade's own realised pnl and fees; also the fold's cumulative ones a trade started from. */
export type TradeFigures = Pick<NetPosition, 'realizedPnl' | 'fees'>;

/**
 * A trade's own figures: what the position realised and paid since the trade opened (`start`, the fold's
 * cumulative figures then; none before the first trade). Cut to 10 decimals: the difference of two sums
 * carries binary noise (0.3 − 0.1 is 0.19999999999999998), and fees that did not move are 0, never below.
 */
export function tradeFigures(
  after: TradeFigures,
  start: TradeFigures = { realizedPnl: 0, fees: 0 },
): TradeFigures {
  const cut = (x: number) => Number(x.toFixed(10));
  return {
    realizedPnl: cut(after.realizedPnl - start.realizedPnl),
    fees: Math.max(0, cut(after.fees - start.fees)),
  };
}

/** The position valued at `price`: entry moved there, the difference realised. */
function atPrice(position: NetPosition, price: number): NetPosition {
  const perUnit = position.side === 'long' ? price - position.avgEntry : position.avgEntry - price;
  return { ...position, avgEntry: price, realizedPnl: position.realizedPnl + position.qty * perUnit };
}
