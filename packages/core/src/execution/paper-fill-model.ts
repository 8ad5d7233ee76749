import type { OrderSide } from '@ballast/contracts';
import { roundDownToStep } from '../risk/precision';
import { type WalkableBook, walkBook } from './book-walk';
import { type FeeSchedule, feeFor, type Liquidity, roundQuote } from './fee-model';
import { sumLots } from './lot-units';

export type PaperFill = { price: number; qty: number; fee: number; liquidity: Liquidity };

export type Balances = Readonly<Record<string, number>>;

export type PaperOrder = {
  side: OrderSide;
  qty: number;
  /** null for a market order. */
  limitPrice: number | null;
  base: string;
  quote: string;
  /** The market's lot step: the order fills whole steps only (any quantity when not given). */
  stepSize?: number;
};

export type PaperExecution =
  | { ok: true; fills: PaperFill[]; filledQty: number; balances: Balances }
  | { ok: false; reason: 'insufficient_funds' | 'invalid_order'; detail: string };

/**
 * A taker order against the visible book: walks the levels (up to the limit price for a limit
 * order), charges the taker fee per level in the quote asset, and moves balances. What the book
 * cannot supply stays unfilled (a partial fill). Funds are checked against the whole fill first,
 * so a refused order changes nothing.
 */
export function executeTaker(
  book: WalkableBook,
  order: PaperOrder,
  balances: Balances,
  fees: FeeSchedule,
): PaperExecution {
  if (!(order.qty > 0))
    return { ok: false, reason: 'invalid_order', detail: `quantity ${order.qty} is not positive` };
  const walk = walkBook(book, order.side, order.qty, order.limitPrice ?? undefined, order.stepSize);
  const fills = walk.fills.map((f) => ({
    ...f,
    fee: feeFor(f.price * f.qty, 'taker', fees),
    liquidity: 'taker' as const,
  }));
  return settle(fills, order, balances);
}

/**
 * A resting limit order meets a trade: it fills completely, as maker, at its own price, when the
 * trade goes through the price (a buy below it, a sell above it). Equality is not enough: the queue
 * ahead of us at that price may have absorbed the trade.
 */
export function executeRestingLimit(
  order: PaperOrder & { limitPrice: number },
  tradePrice: number,
  balances: Balances,
  fees: FeeSchedule,
): PaperExecution | null {
  const through = order.side === 'buy' ? tradePrice < order.limitPrice : tradePrice > order.limitPrice;
  if (!through) return null;
  const qty = order.stepSize === undefined ? order.qty : roundDownToStep(order.qty, order.stepSize);
  const fill: PaperFill = {
    price: order.limitPrice,
    qty,
    fee: feeFor(order.limitPrice * qty, 'maker', fees),
    liquidity: 'maker',
  };
  return settle([fill], order, balances);
}

function settle(fills: PaperFill[], order: PaperOrder, balances: Balances): PaperExecution {
  const filledQty = sumLots(fills.map((f) => f.qty));
  const notional = fills.reduce((s, f) => s + f.price * f.qty, 0);
  const fee = fills.reduce((s, f) => s + f.fee, 0);
  const base = balances[order.base] ?? 0;
  const quote = balances[order.quote] ?? 0;
  const next = { ...balances };
  if (order.side === 'buy') {
    const cost = roundQuote(notional + fee);
    if (cost > quote) return insufficient(order.quote, cost, quote);
    next[order.base] = roundQuote(base + filledQty);
    next[order.quote] = roundQuote(quote - cost);
  } else {
    if (filledQty > base + 1e-12) return insufficient(order.base, filledQty, base);
    next[order.base] = roundQuote(base - filledQty);
    next[order.quote] = roundQuote(quote + notional - fee);
  }
  return { ok: true, fills, filledQty, balances: next };
}

function insufficient(asset: string, need: number, have: number): PaperExecution {
  return { ok: false, reason: 'insufficient_funds', detail: `needs ${need} ${asset}, has ${have}` };
}
