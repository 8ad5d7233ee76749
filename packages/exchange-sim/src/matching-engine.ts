import type { Clock } from '@ballast/contracts';
import { type BinanceApiError, BinanceErrors } from './binance-api-error';
import { type CandleBar, walkCandle } from './candle-path';
import { maxUnits, minUnits, mulUnits, type Units } from './decimal';
import type { SymbolRules } from './exchange-info';
import type { BookLevel } from './order-book';
import { checkFilters } from './order-filters';
import { isStopType, type NewOrderRequest, type SimOrder, type SimTrade } from './sim-order';
import type { SpotAccount } from './spot-account';

/** Where the engine reads liquidity: the replayed book, or failing that the last replayed price. */
export interface LiquiditySource {
  levels(symbol: string, side: 'asks' | 'bids'): BookLevel[] | undefined;
  lastPrice(symbol: string): Units | undefined;
}

export interface FeeSchedule {
  /** Rates as 1e-8 units: 0.001 (0.1 %) is 100000n. */
  maker: Units;
  taker: Units;
  /**
   * `quote`: every fee in the quote asset. `received`: in the asset the trade pays out, as Binance
   * charges without BNB: a buy's fee in the base asset (the buyer gets qty − fee), a sell's in the quote.
   */
  feesIn: FeesIn;
}

export type FeesIn = 'quote' | 'received';

/** `through`: a resting order fills when a trade prints strictly beyond its price; `touch`: at it. */
export type LimitFillRule = 'through' | 'touch';

export type EngineResult<T> = { ok: true; value: T } | { ok: false; error: BinanceApiError };

interface Fill {
  price: Units;
  qty: Units;
}

/** A price a candle prints along its path, and the part of the candle's volume still untaken. */
interface Print {
  price: Units;
  size: Units;
}

/**
 * A single-account spot matching engine. Incoming orders take liquidity from the replayed book
 * (without consuming it: the next replayed diff is the market's truth); resting limit orders fill as
 * maker when replayed trades or candles reach their price. Commission is charged in the quote asset,
 * or in the asset received (`FeeSchedule.feesIn`).
 * Stop orders (`STOP_LOSS`, `STOP_LOSS_LIMIT`) reserve their balance on placement, wait for a replayed
 * price at or through their stop, then take liquidity like a new market or limit order.
 */
export class MatchingEngine {
  /** By market and order id: Binance numbers orders per market, as it does trades. */
  private readonly orders = new Map<string, SimOrder>();
  private readonly trades: SimTrade[] = [];
  /** Per market, as Binance numbers orders: ETHUSDT's order 5 and BTCUSDT's order 5 are two orders. */
  private readonly nextOrderId = new Map<string, number>();
  /** Per market, as Binance numbers trades: ETHUSDT's trade 1 and BTCUSDT's trade 1 are two trades. */
  private readonly nextTradeId = new Map<string, number>();
  /** Injected fault: the next N stop orders are refused. */
  private stopRefusals = 0;

  constructor(
    private readonly deps: {
      account: SpotAccount;
      rules: (symbol: string) => SymbolRules | undefined;
      liquidity: LiquiditySource;
      fees: FeeSchedule;
      fillRule: LimitFillRule;
      clock: Clock;
    },
  ) {}

  place(req: NewOrderRequest): EngineResult<SimOrder> {
    const rules = this.deps.rules(req.symbol);
    if (!rules) return fail(BinanceErrors.invalidSymbol());
    if (!rules.orderTypes.includes(req.type)) return fail(BinanceErrors.unsupportedOrderType());
    if (this.openOrders(req.symbol).some((o) => o.clientOrderId === req.clientOrderId))
      return fail(BinanceErrors.duplicateOrder());
    if (isStopType(req.type)) return this.placeStop(req, rules);
    const available = this.takerFills(req);
    if (available === undefined) return fail(BinanceErrors.marketClosed());
    const fills = req.timeInForce === 'FOK' && sumQty(available) < req.quantity ? [] : available;
    const refPrice = req.price ?? fills[0]?.price ?? 0n;
    const failure = checkFilters(rules, {
      quantity: req.quantity,
      price: refPrice,
      isMarket: req.type === 'MARKET',
    });
    if (failure) return fail(BinanceErrors.filterFailure(failure));
    const order = this.newOrder(req, rules);
    if (!this.reserve(order, fills)) return fail(BinanceErrors.insufficientBalance());
    this.orders.set(`${order.symbol}:${order.orderId}`, order);
    for (const f of fills) this.execute(order, rules, f, false);
    this.settleAfterTaking(order);
    return { ok: true, value: order };
  }

  /** Fault injection: refuse the next `count` stop orders as Binance does when the algo-order cap is hit. */
  refuseStops(count: number): void {
    this.stopRefusals = Math.max(0, Math.floor(count));
  }

  cancel(symbol: string, ref: OrderRef): EngineResult<SimOrder> {
    const order = this.find(symbol, ref, true);
    if (!order) return fail(BinanceErrors.unknownOrderOnCancel());
    this.close(order, 'CANCELED');
    return { ok: true, value: order };
  }

  query(symbol: string, ref: OrderRef): EngineResult<SimOrder> {
    const order = this.find(symbol, ref, false);
    return order ? { ok: true, value: order } : fail(BinanceErrors.orderDoesNotExist());
  }

  openOrders(symbol?: string): SimOrder[] {
    return [...this.orders.values()].filter(
      (o) => isOpen(o) && (symbol === undefined || o.symbol === symbol),
    );
  }

  myTrades(symbol: string): SimTrade[] {
    return this.trades.filter((t) => t.symbol === symbol);
  }

  /**
   * A replayed trade of `size` at `price`: resting orders it reaches fill at their own price, together
   * no more than its size (the orders placed first take it first).
   */
  onTrade(symbol: string, price: Units, size: Units): void {
    this.triggerStops(symbol, price, price);
    this.fillResting(symbol, price, price, size);
  }

  /**
   * A replayed candle, printed along its path (`walkCandle`: open, nearer extreme, other extreme, close,
   * and every stop level on the way). Without a book, a stop the path reaches takes liquidity at the
   * print that triggered it: its stop price, or the open when the bar opened past it; a stop-limit
   * whose limit that print does not reach rests at its limit. Resting orders fill at their own price
   * when a print goes through it. Together the fills take no more than the candle's volume.
   */
  onCandle(symbol: string, bar: CandleBar): void {
    const print = { price: bar.open, size: bar.volume };
    walkCandle(
      bar,
      () => this.openOrders(symbol).flatMap((o) => (o.working ? [] : [o.stopPrice])),
      (price) => {
        print.price = price;
        print.size -= this.triggerStops(symbol, price, price, print);
        print.size -= this.fillResting(symbol, price, price, print.size);
      },
    );
  }

  /**
   * A stop rests unseen by the book until triggered. Binance refuses one that would trigger at once
   * (the last price is already at or through it) rather than executing it.
   */
  private placeStop(req: NewOrderRequest, rules: SymbolRules): EngineResult<SimOrder> {
    const stopPrice = req.stopPrice ?? 0n;
    if (this.stopRefusals > 0) {
      this.stopRefusals--;
      return fail(BinanceErrors.filterFailure('MAX_NUM_ALGO_ORDERS'));
    }
    const failure = checkFilters(rules, {
      quantity: req.quantity,
      price: req.price ?? stopPrice,
      stopPrice,
      isMarket: req.type === 'STOP_LOSS',
    });
    if (failure) return fail(BinanceErrors.filterFailure(failure));
    const last = this.deps.liquidity.lastPrice(req.symbol);
    if (last !== undefined && (req.side === 'SELL' ? last <= stopPrice : last >= stopPrice))
      return fail(stopWouldTrigger());
    const order = this.newOrder(req, rules);
    if (!this.reserve(order, [])) return fail(BinanceErrors.insufficientBalance());
    this.orders.set(`${order.symbol}:${order.orderId}`, order);
    return { ok: true, value: order };
  }

  /**
   * Stops the price reached start working: they take liquidity now, and a limit rest rests. `print`:
   * the candle print that reached them, which is the liquidity when there is no book. Returns the
   * quantity they took from it.
   */
  private triggerStops(symbol: string, low: Units, high: Units, print?: Print): Units {
    let taken = 0n;
    for (const order of this.openOrders(symbol)) {
      if (order.working) continue;
      if (!(order.side === 'SELL' ? low <= order.stopPrice : high >= order.stopPrice)) continue;
      const rules = this.deps.rules(symbol);
      if (!rules) continue;
      const now = this.deps.clock.now();
      order.working = true;
      order.workingTime = now;
      order.updateTime = now;
      const fills =
        this.takerFills(
          {
            symbol,
            side: order.side,
            type: order.type === 'STOP_LOSS' ? 'MARKET' : 'LIMIT',
            quantity: order.origQty - order.executedQty,
            price: order.type === 'STOP_LOSS' ? undefined : order.price,
            timeInForce: order.timeInForce,
            clientOrderId: order.clientOrderId,
          },
          print && { price: print.price, size: print.size - taken, step: rules.stepSize },
        ) ?? [];
      for (const f of fills) this.execute(order, rules, f, false);
      if (print && !this.hasBook(symbol, order.side)) taken += sumQty(fills);
      this.settleAfterTaking(order);
    }
    return taken;
  }

  /** Returns the quantity filled, no more than `size`. */
  private fillResting(symbol: string, low: Units, high: Units, size: Units): Units {
    const touch = this.deps.fillRule === 'touch';
    let left = size;
    for (const order of this.openOrders(symbol)) {
      if (left <= 0n) break;
      if (!order.working || order.type === 'MARKET' || order.type === 'STOP_LOSS') continue;
      const reached =
        order.side === 'BUY'
          ? touch
            ? low <= order.price
            : low < order.price
          : touch
            ? high >= order.price
            : high > order.price;
      if (!reached) continue;
      const rules = this.deps.rules(symbol);
      if (!rules) continue;
      const most = minUnits(order.origQty - order.executedQty, left);
      // Whole lot steps only: a print finer than the step fills what the step allows.
      const qty = rules.stepSize > 0n ? most - (most % rules.stepSize) : most;
      if (qty <= 0n) continue;
      this.execute(order, rules, { price: order.price, qty }, true);
      left -= qty;
      if (order.executedQty === order.origQty) this.close(order, 'FILLED');
    }
    return size - left;
  }

  /**
   * Fills available on arrival, walking the book best first; undefined when there is no market at all.
   * Without a book: at the last price, or at a candle's `print`, then no more than its size in whole
   * lot steps.
   */
  private takerFills(req: NewOrderRequest, print?: Print & { step: Units }): Fill[] | undefined {
    const levels = this.deps.liquidity.levels(req.symbol, req.side === 'BUY' ? 'asks' : 'bids');
    if (!levels || levels.length === 0) {
      if (print) {
        const most = minUnits(req.quantity, print.size);
        const qty = print.step > 0n ? most - (most % print.step) : most;
        return qty > 0n && crosses(req, print.price) ? [{ price: print.price, qty }] : [];
      }
      const last = this.deps.liquidity.lastPrice(req.symbol);
      if (last === undefined) return req.type === 'LIMIT' ? [] : undefined;
      return crosses(req, last) ? [{ price: last, qty: req.quantity }] : [];
    }
    const fills: Fill[] = [];
    let remaining = req.quantity;
    for (const level of levels) {
      if (remaining === 0n || !crosses(req, level.price)) break;
      const qty = minUnits(remaining, level.quantity);
      fills.push({ price: level.price, qty });
      remaining -= qty;
    }
    return fills;
  }

  /** Whether an incoming order on `side` would take from the replayed book rather than the last price. */
  private hasBook(symbol: string, side: 'BUY' | 'SELL'): boolean {
    return (this.deps.liquidity.levels(symbol, side === 'BUY' ? 'asks' : 'bids')?.length ?? 0) > 0;
  }

  private newOrder(req: NewOrderRequest, rules: SymbolRules): SimOrder {
    const now = this.deps.clock.now();
    const stop = isStopType(req.type);
    const orderId = this.nextOrderId.get(req.symbol) ?? 1;
    this.nextOrderId.set(req.symbol, orderId + 1);
    return {
      orderId,
      clientOrderId: req.clientOrderId,
      symbol: req.symbol,
      side: req.side,
      type: req.type,
      timeInForce:
        req.type === 'LIMIT' || req.type === 'STOP_LOSS_LIMIT' ? (req.timeInForce ?? 'GTC') : undefined,
      price: req.price ?? 0n,
      stopPrice: stop ? (req.stopPrice ?? 0n) : 0n,
      working: !stop,
      workingTime: stop ? -1 : now,
      origQty: req.quantity,
      executedQty: 0n,
      cummulativeQuoteQty: 0n,
      status: 'NEW',
      time: now,
      updateTime: now,
      trades: [],
      lockedAsset: req.side === 'BUY' ? rules.quoteAsset : rules.baseAsset,
      lockedAmount: 0n,
    };
  }

  /** Locks what the order can spend: quote (with the worst-case fee) for a buy, base for a sell. */
  private reserve(order: SimOrder, fills: Fill[]): boolean {
    const amount = order.side === 'SELL' ? order.origQty : this.buyReservation(order, fills);
    if (!this.deps.account.lock(order.lockedAsset, amount)) return false;
    order.lockedAmount = amount;
    return true;
  }

  private buyReservation(order: SimOrder, fills: Fill[]): Units {
    // A fee taken from the base received costs no quote: the buy locks its price alone.
    const { fees } = this.deps;
    const rate = fees.feesIn === 'received' ? 0n : maxUnits(fees.taker, fees.maker);
    const takenQty = sumQty(fills);
    const takenCost = fills.reduce((s, f) => s + mulUnits(f.price, f.qty), 0n);
    // A stop-market buy has no price of its own: its stop is the best estimate of what it will pay.
    const restPrice =
      order.type === 'LIMIT' || order.type === 'STOP_LOSS_LIMIT'
        ? order.price
        : order.type === 'STOP_LOSS'
          ? order.stopPrice
          : 0n;
    const restCost = mulUnits(restPrice, order.origQty - takenQty);
    const cost = takenCost + restCost;
    return cost + mulUnits(cost, rate);
  }

  private execute(order: SimOrder, rules: SymbolRules, fill: Fill, isMaker: boolean): void {
    const quoteQty = mulUnits(fill.price, fill.qty);
    const { account, fees } = this.deps;
    const rate = isMaker ? fees.maker : fees.taker;
    const feeInBase = order.side === 'BUY' && fees.feesIn === 'received';
    const commission = mulUnits(feeInBase ? fill.qty : quoteQty, rate);
    if (order.side === 'BUY') {
      const spent = feeInBase ? quoteQty : quoteQty + commission;
      account.spendLocked(rules.quoteAsset, spent);
      order.lockedAmount -= minUnits(spent, order.lockedAmount);
      account.credit(rules.baseAsset, feeInBase ? fill.qty - commission : fill.qty);
    } else {
      account.spendLocked(rules.baseAsset, fill.qty);
      order.lockedAmount -= fill.qty;
      account.credit(rules.quoteAsset, quoteQty - commission);
    }
    const commissionAsset = feeInBase ? rules.baseAsset : rules.quoteAsset;
    const trade = this.recordTrade(order, fill, quoteQty, { commission, commissionAsset }, isMaker);
    order.executedQty += fill.qty;
    order.cummulativeQuoteQty += quoteQty;
    order.updateTime = trade.time;
    order.status = order.executedQty === order.origQty ? 'FILLED' : 'PARTIALLY_FILLED';
  }

  private recordTrade(
    order: SimOrder,
    fill: Fill,
    quoteQty: Units,
    fee: Pick<SimTrade, 'commission' | 'commissionAsset'>,
    isMaker: boolean,
  ): SimTrade {
    const id = this.nextTradeId.get(order.symbol) ?? 1;
    this.nextTradeId.set(order.symbol, id + 1);
    const trade: SimTrade = {
      id,
      orderId: order.orderId,
      symbol: order.symbol,
      price: fill.price,
      qty: fill.qty,
      quoteQty,
      ...fee,
      time: this.deps.clock.now(),
      isBuyer: order.side === 'BUY',
      isMaker,
    };
    order.trades.push(trade);
    this.trades.push(trade);
    return trade;
  }

  /** After the taking phase: market, IOC and FOK remainders expire, GTC remainders rest. */
  private settleAfterTaking(order: SimOrder): void {
    if (order.executedQty === order.origQty) this.close(order, 'FILLED');
    else if (order.type === 'MARKET' || order.type === 'STOP_LOSS' || order.timeInForce !== 'GTC')
      this.close(order, 'EXPIRED');
  }

  private close(order: SimOrder, status: 'FILLED' | 'CANCELED' | 'EXPIRED'): void {
    this.deps.account.unlock(order.lockedAsset, order.lockedAmount);
    order.lockedAmount = 0n;
    order.status = status;
    order.updateTime = this.deps.clock.now();
  }

  private find(symbol: string, ref: OrderRef, openOnly: boolean): SimOrder | undefined {
    for (const o of this.orders.values()) {
      if (o.symbol !== symbol || (openOnly && !isOpen(o))) continue;
      if (ref.orderId !== undefined ? o.orderId === ref.orderId : o.clientOrderId === ref.clientOrderId)
        return o;
    }
    return undefined;
  }
}

export interface OrderRef {
  orderId?: number;
  clientOrderId?: string;
}

function isOpen(o: SimOrder): boolean {
  return o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';
}

/** Whether an incoming order would trade at `price`: always for market, within the limit otherwise. */
function crosses(req: NewOrderRequest, price: Units): boolean {
  if (req.type === 'MARKET' || req.price === undefined) return true;
  return req.side === 'BUY' ? price <= req.price : price >= req.price;
}

function sumQty(fills: readonly Fill[]): Units {
  return fills.reduce((s, f) => s + f.qty, 0n);
}

/** Binance's answer to a stop whose trigger the last price has already reached. */
function stopWouldTrigger(): BinanceApiError {
  return { status: 400, code: -2010, msg: 'Stop price would trigger immediately.' };
}

function fail<T>(error: BinanceApiError): EngineResult<T> {
  return { ok: false, error };
}
