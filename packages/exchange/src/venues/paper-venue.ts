import { type Clock, type Fill, type IdGenerator, symbolAssets } from '@ballast/contracts';
import {
  type Balances,
  bookTouch,
  executeRestingLimit,
  executeTaker,
  type FeeSchedule,
  type MarketRules,
  orderFilterFailure,
  type PaperFill,
  type PaperOrder,
  roundDownToStep,
  subtractLots,
  sumLots,
  type VenueTrade,
  type WalkableBook,
} from '@ballast/core';
import {
  type OrderVenue,
  type TradePage,
  VenueError,
  type VenueOrder,
  type VenueOrderRequest,
} from './order-venue';
import { freeBalances, type Lock, makerFilled, restingLock, totalBalances } from './paper-locks';
import type { StopOrder } from './stop-venue';

/**
 * A paper order as stored: the order, and the market trades (md.trade prints) that filled it as maker,
 * by trade id, with the quantity each gave it. A print delivered again finds what it already filled.
 */
export type StoredPaperOrder = VenueOrder & {
  prints?: Record<string, number>;
  /** When the venue took it (its clock); absent on orders stored before it was kept. */
  placedAt?: number;
};

/** A trade printed on the market, as md.trade carries it: `time` is when it printed on the venue. */
export type MarketPrint = { symbol: string; tradeId: string; price: number; size: number; time?: number };

/**
 * A print this much older than an order still fills it, by default: the venue's clock and ours differ
 * by a little. An older one (a backlog replayed after a restart, a consumer minutes behind) happened
 * before the order existed, and on a real venue could not have filled it.
 */
export const PRINT_CLOCK_SKEW_MS = 1_000;

/** Where the paper broker keeps balances and orders, so a restart continues the same account. */
export interface PaperStore {
  loadBalances(venue: string): Promise<Record<string, number>>;
  /** The balances of a brand-new account. */
  saveBalances(venue: string, balances: Record<string, number>): Promise<void>;
  /** Every order, in the order each was first stored. */
  loadOrders(venue: string): Promise<StoredPaperOrder[]>;
  /**
   * An order as it now stands (keyed by its venue order id: a client id may name several orders over
   * time) and, when it moved funds, the balances it left: both are stored or neither (one transaction),
   * so no fill is ever stored without its order, nor an order without its fill.
   */
  saveOrder(venue: string, order: StoredPaperOrder, balances?: Record<string, number>): Promise<void>;
}

export interface PaperVenueDeps {
  venue: string;
  /** The streamed or replayed book; undefined while none can be trusted (none yet, or out of sequence). */
  book: (symbol: string) => WalkableBook | undefined;
  /**
   * The market's depth read over REST (`limit` levels a side when given), for when `book` has none, as
   * the live venue's slippage check reads it. Without it such an order is refused (`network`).
   */
  restBook?: OrderVenue['orderBook'];
  rules: (symbol: string) => MarketRules;
  fees: FeeSchedule;
  store: PaperStore;
  clock: Clock;
  /** How much older than an order a print may be and still fill it; PRINT_CLOCK_SKEW_MS when unset. */
  printSkewMs?: number;
  ids: IdGenerator;
  /** Simulated venue round trip before an order reaches the book. */
  latencyMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Balances of a brand-new account (nothing stored yet). */
  initialBalances?: Record<string, number>;
  /**
   * The stop orders resting in this account outside its own orders: a paper stop venue in the same
   * process (the backtest's). As on Binance spot they lock what they cover, and the account's
   * open-orders listing and cancel include them, so a close cancels a stop the way it does live.
   */
  stops?: AccountStops;
}

/** A paper stop venue sharing the paper account (PaperStopVenue). */
export interface AccountStops {
  /** What the stops not done hold back. */
  locks(): readonly Lock[];
  openStops(symbol?: string): StopOrder[];
  cancelStop(symbol: string, clientOrderId: string): Promise<StopOrder | undefined>;
}

/**
 * The paper broker: the live venue's interface over a simulated account. Market orders walk the
 * book; limit orders take what crosses and rest the rest, filling as maker when a trade goes through
 * their price (`onTrade`). A resting order locks what its fill will take, released when it fills or
 * is cancelled; balances are totals, locked funds included, as a venue reports them. Every change is stored before it is applied in memory: a write that failed
 * leaves the account as it was (a `network` error, so the order manager looks the client id up and
 * sends again), and a restart finds every order whose fill the balances show.
 */
export class PaperVenue implements OrderVenue {
  readonly id: string;
  /** A paper order that failed (no book, its write refused) was never placed: nothing of it can land. */
  readonly landsLate = false;
  private balancesState: Balances = {};
  /** By venue order id: a client id names a new order once the one before it is closed, as on Binance. */
  private readonly orders = new Map<string, VenueOrder>();
  /**
   * The open ones among `orders`, in the same order (an order opens only when placed, and once closed
   * stays closed): the listings and fills a run asks for per bar and per print scan these, not every
   * order the account ever had.
   */
  private readonly open = new Map<string, VenueOrder>();
  /** The order each client id names now: the latest placed under it. */
  private readonly byClientId = new Map<string, string>();
  /** By venue order id: the prints that filled the order (StoredPaperOrder), stored with it. */
  private readonly prints = new Map<string, Record<string, number>>();
  /** By venue order id: when it was placed (StoredPaperOrder), stored with it. */
  private readonly placedAt = new Map<string, number>();
  /** The next fill's sequence number: fills are numbered venue-wide as they are stored, and paged by it. */
  private nextFillSeq = 1;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(private readonly deps: PaperVenueDeps) {
    this.id = deps.venue;
  }

  static async open(deps: PaperVenueDeps): Promise<PaperVenue> {
    const venue = new PaperVenue(deps);
    const stored = await deps.store.loadBalances(deps.venue);
    venue.balancesState = Object.keys(stored).length > 0 ? stored : { ...(deps.initialBalances ?? {}) };
    if (Object.keys(stored).length === 0)
      await deps.store.saveBalances(deps.venue, { ...venue.balancesState });
    for (const order of await deps.store.loadOrders(deps.venue)) venue.remember(order);
    return venue;
  }

  async marketRules(symbol: string): Promise<MarketRules> {
    return this.deps.rules(symbol);
  }

  async orderBook(symbol: string, limit?: number, options?: { timeoutMs?: number }): Promise<WalkableBook> {
    const book = this.deps.book(symbol);
    if (book) return book;
    if (this.deps.restBook) return this.deps.restBook(symbol, limit, options);
    throw new VenueError(
      'network',
      `no trusted order book for ${symbol} (none in sequence since a snapshot)`,
    );
  }

  async submit(request: VenueOrderRequest): Promise<VenueOrder> {
    if (this.deps.latencyMs) await (this.deps.sleep ?? defaultSleep)(this.deps.latencyMs);
    return this.serial(() => this.place(request));
  }

  async fetchByClientId(_symbol: string, clientOrderId: string): Promise<VenueOrder | undefined> {
    return this.named(clientOrderId);
  }

  async cancel(symbol: string, clientOrderId: string): Promise<VenueOrder | undefined> {
    return this.serial(async () => {
      const order = this.named(clientOrderId);
      if (!order) return this.cancelStop(symbol, clientOrderId);
      if (!isOpenOrder(order)) return order;
      const cancelled: VenueOrder = { ...order, status: 'cancelled' };
      await this.commit(cancelled);
      return cancelled;
    });
  }

  /** Open orders, the account's resting stops included (as Binance lists them). */
  async openOrders(symbol?: string): Promise<VenueOrder[]> {
    const own = [...this.open.values()].filter((o) => !symbol || o.symbol === symbol);
    return [...own, ...(this.deps.stops?.openStops(symbol) ?? []).map(stopAsOrder)];
  }

  /** A stop resting in the account, cancelled by its client id; undefined when there is none. */
  private async cancelStop(symbol: string, clientOrderId: string): Promise<VenueOrder | undefined> {
    const stop = await this.deps.stops?.cancelStop(symbol, clientOrderId);
    return stop && stopAsOrder(stop);
  }

  async balances(): Promise<Record<string, number>> {
    return { ...this.balancesState };
  }

  /** What a new order (or stop) may still spend: the totals less every lock, stops' included. */
  async freeBalances(): Promise<Balances> {
    return freeBalances(this.balancesState, this.locks());
  }

  /**
   * Fills in the order they were stored; the cursor is the sequence number of the last fill read, so a
   * later fill of an older order is never skipped and none is served twice (as Binance pages by trade id).
   */
  async tradesSince(symbol: string, cursor: string | null): Promise<TradePage> {
    const after = cursor === null ? 0 : Number(cursor);
    const trades: VenueTrade[] = [...this.orders.values()]
      .filter((o) => o.symbol === symbol)
      .flatMap((o) =>
        o.fills.map((f) => ({
          tradeId: f.tradeId,
          venueOrderId: o.venueOrderId,
          symbol,
          side: o.side,
          price: f.price,
          qty: f.qty,
          fee: f.fee,
          feeAsset: f.feeAsset,
          liquidity: f.liquidity,
          time: f.time,
        })),
      )
      .filter((t) => fillSeq(t.tradeId) > after)
      .sort((a, b) => fillSeq(a.tradeId) - fillSeq(b.tradeId));
    const last = trades.at(-1);
    return { trades, cursor: String(last ? fillSeq(last.tradeId) : after) };
  }

  /** A paper account holds no real funds. */
  async withdrawalsEnabled(): Promise<boolean | undefined> {
    return false;
  }

  /**
   * A trade printed on the market: resting limits it goes through fill as maker, together no more
   * than its size (the orders placed first take it first). Once per trade id: md.trade delivers a print
   * again when its handling failed or was not acknowledged, and each order stores (with its fill) what
   * each print gave it, so a print delivered again fills only what it had left, never an order twice.
   */
  async onTrade({ symbol, tradeId, price, size, time }: MarketPrint): Promise<VenueOrder[]> {
    return this.serial(async () => {
      const filled: VenueOrder[] = [];
      let left = subtractLots(size, this.printTaken(symbol, tradeId));
      // A copy: filling an order closes it, which takes it out of `open` while this loop runs.
      for (const order of [...this.open.values()]) {
        if (!(left > 0)) break;
        if (order.symbol !== symbol) continue;
        if (this.prints.get(order.venueOrderId)?.[tradeId] !== undefined) continue;
        if (this.printedBefore(order, time)) continue;
        const limitPrice = order.price;
        if (limitPrice === null) continue;
        const { stepSize } = await this.marketRules(symbol);
        const rest = {
          ...paperOrder(order, subtractLots(order.qty, order.filledQty), stepSize),
          limitPrice,
          makerFilled: makerFilled(order),
        };
        // Its own lock is what it spends; the others' stay held.
        const others = this.locks(order.clientOrderId);
        const free = freeBalances(this.balancesState, others);
        const result = executeRestingLimit(rest, { price, size: left }, free, this.deps.fees);
        if (!result) continue;
        if (!result.ok) {
          // Cannot happen to an order that locked its funds; one stored before locks existed may lack
          // them, and would otherwise stay open for good. The venue ends it.
          await this.commit({ ...order, status: 'cancelled' });
          continue;
        }
        const next = this.withFills(order, result.fills, stepSize);
        const prints = { ...this.prints.get(order.venueOrderId), [tradeId]: result.filledQty };
        await this.commit(next, totalBalances(result.balances, others), prints);
        left = subtractLots(left, result.filledQty);
        filled.push(next);
      }
      return filled;
    });
  }

  /** Whether a print happened before the order was placed (beyond the clocks' skew). */
  private printedBefore(order: VenueOrder, time: number | undefined): boolean {
    const placedAt = this.placedAt.get(order.venueOrderId);
    const skew = this.deps.printSkewMs ?? PRINT_CLOCK_SKEW_MS;
    return time !== undefined && placedAt !== undefined && time < placedAt - skew;
  }

  /** How much of a print the orders on its market took already. */
  private printTaken(symbol: string, tradeId: string): number {
    const taken: number[] = [];
    // Only orders a print filled have prints; sumLots adds whole lot units, in any order alike.
    for (const [venueOrderId, prints] of this.prints) {
      const qty = this.orders.get(venueOrderId)?.symbol === symbol ? prints[tradeId] : undefined;
      if (qty !== undefined) taken.push(qty);
    }
    return sumLots(taken);
  }

  private async place(request: VenueOrderRequest): Promise<VenueOrder> {
    // Binance refuses a client id only while an order with it is open; once closed it names a new order.
    const existing = this.named(request.clientOrderId);
    if (existing && isOpenOrder(existing))
      throw new VenueError('invalid_order', `duplicate client order id ${request.clientOrderId}`);
    const book = await this.orderBook(request.symbol);
    const rules = await this.marketRules(request.symbol);
    const { stepSize } = rules;
    assertFilters(request, rules, book);
    const order: VenueOrder = {
      clientOrderId: request.clientOrderId,
      venueOrderId: this.deps.ids(),
      symbol: request.symbol,
      side: request.side,
      status: 'accepted',
      qty: request.qty,
      price: request.type === 'limit' ? request.price : null,
      filledQty: 0,
      avgPrice: null,
      fills: [],
    };
    this.placedAt.set(order.venueOrderId, this.deps.clock.now());
    const taker: PaperOrder = { ...paperOrder(order, request.qty, stepSize), limitPrice: order.price };
    // Funds resting orders hold back are not spendable, as on Binance.
    const locked = this.locks();
    const result = executeTaker(book, taker, freeBalances(this.balancesState, locked), this.deps.fees);
    if (!result.ok) throw new VenueError(result.reason, `${request.clientOrderId}: ${result.detail}`);
    let placed = this.withFills(order, result.fills, stepSize);
    // A market order takes what the book holds; the remainder is cancelled, as on a real venue.
    if (request.type === 'market' && isOpenOrder(placed))
      placed = { ...placed, status: placed.filledQty > 0 ? 'cancelled' : 'rejected' };
    if (isOpenOrder(placed)) this.assertLockable(placed, result.balances);
    await this.commit(placed, result.fills.length > 0 ? totalBalances(result.balances, locked) : undefined);
    return placed;
  }

  /**
   * A limit order rests only if the free balance covers all its rest will take, as Binance refuses an
   * order it cannot lock funds for: otherwise the whole order is refused, what crossed included.
   */
  private assertLockable(order: VenueOrder, free: Balances): void {
    const lock = restingLock(order, this.deps.fees);
    if (!lock) return;
    const has = free[lock.asset] ?? 0;
    if (lock.amount > has)
      throw new VenueError(
        'insufficient_funds',
        `${order.clientOrderId}: resting ${subtractLots(order.qty, order.filledQty)} @ ${order.price} needs ${lock.amount} ${lock.asset}, has ${has} free`,
      );
  }

  /** What the open orders (all, or all but one) hold back. */
  private locks(except?: string): Lock[] {
    const locks: Lock[] = [];
    for (const order of this.open.values()) {
      if (order.clientOrderId === except) continue;
      const lock = restingLock(order, this.deps.fees);
      if (lock) locks.push(lock);
    }
    locks.push(...(this.deps.stops?.locks() ?? []));
    return locks;
  }

  /** The order with these fills added, and the status they give it. */
  private withFills(order: VenueOrder, paperFills: readonly PaperFill[], stepSize: number): VenueOrder {
    const now = this.deps.clock.now();
    const { base, quote } = symbolAssets(order.symbol);
    const fills: Fill[] = paperFills.map((f, i) => ({
      tradeId: `${order.venueOrderId}-${this.nextFillSeq + i}`,
      price: f.price,
      qty: f.qty,
      fee: f.fee,
      feeAsset: f.feeIn === 'base' ? base : quote || 'USDT',
      liquidity: f.liquidity,
      time: now,
    }));
    const allFills = [...order.fills, ...fills];
    const filledQty = sumLots(allFills.map((f) => f.qty));
    const notional = allFills.reduce((s, f) => s + f.price * f.qty, 0);
    const complete = filledQty >= roundDownToStep(order.qty, stepSize);
    return {
      ...order,
      fills: allFills,
      filledQty,
      avgPrice: filledQty > 0 ? notional / filledQty : null,
      status: complete ? 'filled' : filledQty > 0 ? 'partially_filled' : 'accepted',
    };
  }

  /**
   * Stores an order's new state with the balances it left (when it moved funds) in one write, then
   * applies both in memory. A failed write changes nothing here and is reported as the venue being
   * unreachable: the order manager retries it, looking the client id up first.
   */
  private async commit(
    order: VenueOrder,
    balances?: Balances,
    prints = this.prints.get(order.venueOrderId),
  ): Promise<void> {
    const placedAt = this.placedAt.get(order.venueOrderId);
    const stored: StoredPaperOrder = {
      ...order,
      ...(prints ? { prints } : {}),
      ...(placedAt !== undefined ? { placedAt } : {}),
    };
    try {
      await this.deps.store.saveOrder(this.id, stored, balances ? { ...balances } : undefined);
    } catch (err) {
      throw new VenueError('network', `paper account not stored for ${order.clientOrderId}: ${String(err)}`, {
        cause: err,
      });
    }
    this.remember(stored);
    if (balances) this.balancesState = balances;
  }

  private remember({ prints, placedAt, ...order }: StoredPaperOrder): void {
    this.orders.set(order.venueOrderId, order);
    if (placedAt !== undefined) this.placedAt.set(order.venueOrderId, placedAt);
    if (isOpenOrder(order)) this.open.set(order.venueOrderId, order);
    else this.open.delete(order.venueOrderId);
    if (prints) this.prints.set(order.venueOrderId, prints);
    this.byClientId.set(order.clientOrderId, order.venueOrderId);
    for (const f of order.fills) this.nextFillSeq = Math.max(this.nextFillSeq, fillSeq(f.tradeId) + 1);
  }

  private named(clientOrderId: string): VenueOrder | undefined {
    const venueOrderId = this.byClientId.get(clientOrderId);
    return venueOrderId === undefined ? undefined : this.orders.get(venueOrderId);
  }

  /** One account, one writer: orders and trades apply one at a time, like a matching engine. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

/** A paper fill's sequence number, the tail of its trade id (`<venueOrderId>-<seq>`). */
function fillSeq(tradeId: string): number {
  return Number(tradeId.slice(tradeId.lastIndexOf('-') + 1)) || 0;
}

function paperOrder(order: VenueOrder, qty: number, stepSize: number): PaperOrder {
  const { base, quote } = symbolAssets(order.symbol);
  return { side: order.side, qty, limitPrice: null, base, quote, stepSize };
}

/** An order resting on the book: accepted, or partly filled and not done. */
export function isOpenOrder(order: Pick<VenueOrder, 'status'>): boolean {
  return order.status === 'accepted' || order.status === 'partially_filled';
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The venue's filters (step, tick, quantity, price and notional limits, percent band: core
 * orderFilterFailure), so paper refuses what the live venue would. A market order is valued at the touch it takes; with that
 * side of the book empty the walk itself refuses it.
 */
function assertFilters(request: VenueOrderRequest, rules: MarketRules, book: WalkableBook): void {
  const touch = bookTouch(book);
  const reference = request.side === 'buy' ? touch.bestAsk : touch.bestBid;
  const price = request.type === 'limit' ? request.price : null;
  if (price === null && reference === undefined) return;
  const refused = orderFilterFailure({ qty: request.qty, price, side: request.side }, rules, reference ?? 0);
  if (refused) throw new VenueError(refused.reason, `${request.clientOrderId}: ${refused.detail}`);
}

/** A stop as the account's order listing shows it: open until done, at its limit price. */
function stopAsOrder(stop: StopOrder): VenueOrder {
  const filledQty = stop.filledQty ?? 0;
  const done = filledQty >= stop.qty - 1e-12;
  const status =
    stop.status === 'cancelled' || stop.status === 'rejected' ? stop.status : done ? 'filled' : 'accepted';
  return {
    clientOrderId: stop.clientOrderId,
    venueOrderId: stop.venueOrderId,
    symbol: stop.symbol,
    side: stop.side,
    status,
    qty: stop.qty,
    price: stop.limitPrice ?? null,
    filledQty,
    avgPrice: null,
    fills: [],
  };
}
