import type { OrderSide } from '@ballast/contracts';
import { roundDownToStep } from '../risk/precision';
import { type WalkableBook, walkBook } from './book-walk';
import { type FeeSchedule, feeFor, feeInBase, fillFee, type Liquidity, roundQuote } from './fee-model';
import { sumLots } from './lot-units';

/** `feeIn`: the asset the fee was taken in (base: a buy under `received` fees). */
export type PaperFill = {
  price: number;
  qty: number;
  fee: number;
  feeIn: 'base' | 'quote';
  liquidity: Liquidity;
};

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
 * order), charges the taker fee per level (in the asset the schedule says), and moves balances. What the book
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
  const fills = walk.fills.map((f) => paperFill(order.side, f.price, f.qty, 'taker', fees));
  return settle(fills, order, balances);
}

/**
 * A resting limit order meets a trade: it fills as maker, at its own price, when the trade goes through
 * the price (a buy below it, a sell above it), and no more than the trade's size: a print of 0.001
 * cannot have filled 5 of ours. Equality is not enough: the queue ahead of us at that price may have
 * absorbed the trade. Null when nothing fills (not through, or a print smaller than one lot step).
 * `qty` is what it has left; `makerFilled` what it filled as maker before (0 when not given), which a
 * buy paying its fee in quote needs: see restingBuyFee.
 */
export function executeRestingLimit(
  order: PaperOrder & { limitPrice: number; makerFilled?: number },
  trade: { price: number; size: number },
  balances: Balances,
  fees: FeeSchedule,
): PaperExecution | null {
  const through = order.side === 'buy' ? trade.price < order.limitPrice : trade.price > order.limitPrice;
  if (!through) return null;
  const most = Math.min(order.qty, trade.size);
  const qty = order.stepSize === undefined ? most : roundDownToStep(most, order.stepSize);
  if (!(qty > 0)) return null;
  const fill =
    order.side === 'buy' && !feeInBase('buy', fees)
      ? {
          price: order.limitPrice,
          qty,
          fee: restingBuyFee(order.limitPrice, order.makerFilled ?? 0, qty, fees),
          feeIn: 'quote' as const,
          liquidity: 'maker' as const,
        }
      : paperFill(order.side, order.limitPrice, qty, 'maker', fees);
  return settle([fill], order, balances);
}

/**
 * The maker fee, in quote, of a resting buy's next `qty` at its price once it has filled `makerFilled`
 * there: the fee on all it will then have filled less the fee on what it had. Its fills' fees add up to
 * the fee on its whole quantity, which is what it locked (paper-locks restingLock) and no more: rounded
 * one by one, two fills of 0.00011 @ 60000.05 would cost 1e-8 more than that, and the last fill of an
 * order sized to the whole free quote would find too little.
 */
export function restingBuyFee(
  price: number,
  makerFilled: number,
  qty: number,
  fees: Pick<FeeSchedule, 'maker' | 'taker'>,
): number {
  const before = feeFor(price * makerFilled, 'maker', fees);
  return roundQuote(feeFor(price * sumLots([makerFilled, qty]), 'maker', fees) - before);
}

function paperFill(
  side: PaperOrder['side'],
  price: number,
  qty: number,
  liquidity: Liquidity,
  fees: FeeSchedule,
): PaperFill {
  const feeIn = feeInBase(side, fees) ? 'base' : 'quote';
  return { price, qty, fee: fillFee(side, price, qty, liquidity, fees), feeIn, liquidity };
}

function settle(fills: PaperFill[], order: PaperOrder, balances: Balances): PaperExecution {
  const filledQty = sumLots(fills.map((f) => f.qty));
  const notional = fills.reduce((s, f) => s + f.price * f.qty, 0);
  const quoteFee = sumFees(fills, 'quote');
  const baseFee = sumFees(fills, 'base');
  const base = balances[order.base] ?? 0;
  const quote = balances[order.quote] ?? 0;
  const next = { ...balances };
  if (order.side === 'buy') {
    // A fee taken from the base received costs no quote: the buyer gets filledQty − fee.
    const cost = roundQuote(notional + quoteFee);
    if (cost > quote) return insufficient(order.quote, cost, quote);
    next[order.base] = roundQuote(base + filledQty - baseFee);
    next[order.quote] = roundQuote(quote - cost);
  } else {
    if (filledQty > base + 1e-12) return insufficient(order.base, filledQty, base);
    next[order.base] = roundQuote(base - filledQty);
    next[order.quote] = roundQuote(quote + notional - quoteFee);
  }
  return { ok: true, fills, filledQty, balances: next };
}

function sumFees(fills: readonly PaperFill[], asset: PaperFill['feeIn']): number {
  return fills.reduce((s, f) => s + (f.feeIn === asset ? f.fee : 0), 0);
}

function insufficient(asset: string, need: number, have: number): PaperExecution {
  return { ok: false, reason: 'insufficient_funds', detail: `needs ${need} ${asset}, has ${have}` };
}
