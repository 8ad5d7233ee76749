import type { Clock, Fill, IdGenerator } from '@ballast/contracts';
import {
  type Balances,
  executeRestingLimit,
  executeTaker,
  type FeeSchedule,
  type MarketRules,
  type PaperExecution,
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

/** Where the paper broker keeps balances and orders, so a restart continues the same account. */
export interface PaperStore {
  loadBalances(venue: string): Promise<Record<string, number>>;
  saveBalances(venue: string, balances: Record<string, number>): Promise<void>;
  loadOrders(venue: string): Promise<VenueOrder[]>;
  saveOrder(venue: string, order: VenueOrder): Promise<void>;
}

export interface PaperVenueDeps {
  venue: string;
  /** The live or replayed book; undefined until one arrived. */
  book: (symbol: string) => WalkableBook | undefined;
  rules: (symbol: string) => MarketRules;
  fees: FeeSchedule;
  store: PaperStore;
  clock: Clock;
  ids: IdGenerator;
  /** Simulated venue round trip before an order reaches the book. */
  latencyMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Balances of a brand-new account (nothing stored yet). */
  initialBalances?: Record<string, number>;
}

/**
 * The paper broker: the live venue's interface over a simulated account. Market orders walk the
 * book; limit orders take what crosses and rest the rest, filling as maker when a trade goes through
 * their price (`onTrade`). Balances and orders are persisted after every change.
 */
export class PaperVenue implements OrderVenue {
  readonly id: string;
  private balancesState: Balances = {};
  private readonly orders = new Map<string, VenueOrder>();
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
    for (const order of await deps.store.loadOrders(deps.venue)) venue.orders.set(order.clientOrderId, order);
    return venue;
  }

  async marketRules(symbol: string): Promise<MarketRules> {
    return this.deps.rules(symbol);
  }

  async orderBook(symbol: string): Promise<WalkableBook> {
    const book = this.deps.book(symbol);
    if (!book) throw new VenueError('network', `no order book for ${symbol} yet`);
    return book;
  }

  async submit(request: VenueOrderRequest): Promise<VenueOrder> {
    if (this.deps.latencyMs) await (this.deps.sleep ?? defaultSleep)(this.deps.latencyMs);
    return this.serial(() => this.place(request));
  }

  async fetchByClientId(_symbol: string, clientOrderId: string): Promise<VenueOrder | undefined> {
    return this.orders.get(clientOrderId);
  }

  async cancel(_symbol: string, clientOrderId: string): Promise<VenueOrder | undefined> {
    return this.serial(async () => {
      const order = this.orders.get(clientOrderId);
      if (!order || !isOpen(order)) return order;
      const cancelled: VenueOrder = { ...order, status: 'cancelled' };
      await this.record(cancelled);
      return cancelled;
    });
  }

  async openOrders(symbol?: string): Promise<VenueOrder[]> {
    return [...this.orders.values()].filter((o) => isOpen(o) && (!symbol || o.symbol === symbol));
  }

  async balances(): Promise<Record<string, number>> {
    return { ...this.balancesState };
  }

  /** Fills in the order they happened; the cursor counts the fills already read. */
  async tradesSince(symbol: string, cursor: string | null): Promise<TradePage> {
    const all: VenueTrade[] = [...this.orders.values()]
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
      .sort((a, b) => a.time - b.time);
    const from = cursor === null ? 0 : Number(cursor);
    return { trades: all.slice(from), cursor: String(all.length) };
  }

  /** A paper account holds no real funds. */
  async withdrawalsEnabled(): Promise<boolean | undefined> {
    return false;
  }

  /** A trade printed on the market: resting limits it goes through fill as maker. */
  async onTrade(symbol: string, price: number): Promise<VenueOrder[]> {
    return this.serial(async () => {
      const filled: VenueOrder[] = [];
      for (const order of this.orders.values()) {
        if (order.symbol !== symbol || !isOpen(order)) continue;
        const limitPrice = order.price;
        if (limitPrice === null) continue;
        const { stepSize } = await this.marketRules(symbol);
        const rest = { ...paperOrder(order, subtractLots(order.qty, order.filledQty), stepSize), limitPrice };
        const result = executeRestingLimit(rest, price, this.balancesState, this.deps.fees);
        if (!result?.ok) continue;
        filled.push(await this.apply(order, result, stepSize));
      }
      return filled;
    });
  }

  private async place(request: VenueOrderRequest): Promise<VenueOrder> {
    const existing = this.orders.get(request.clientOrderId);
    if (existing) throw new VenueError('invalid_order', `duplicate client order id ${request.clientOrderId}`);
    const book = await this.orderBook(request.symbol);
    const { stepSize } = await this.marketRules(request.symbol);
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
    const taker: PaperOrder = { ...paperOrder(order, request.qty, stepSize), limitPrice: request.price };
    const result = executeTaker(book, taker, this.balancesState, this.deps.fees);
    if (!result.ok) throw new VenueError(result.reason, `${request.clientOrderId}: ${result.detail}`);
    const placed = await this.apply(order, result, stepSize);
    // A market order takes what the book holds; the remainder is cancelled, as on a real venue.
    if (request.type === 'market' && isOpen(placed)) {
      const done: VenueOrder = { ...placed, status: placed.filledQty > 0 ? 'cancelled' : 'rejected' };
      await this.record(done);
      return done;
    }
    return placed;
  }

  private async apply(
    order: VenueOrder,
    result: Extract<PaperExecution, { ok: true }>,
    stepSize: number,
  ): Promise<VenueOrder> {
    const now = this.deps.clock.now();
    const [, quote] = order.symbol.split('-');
    const fills: Fill[] = result.fills.map((f, i) => ({
      tradeId: `${order.venueOrderId}-${order.fills.length + i}`,
      price: f.price,
      qty: f.qty,
      fee: f.fee,
      feeAsset: quote ?? 'USDT',
      liquidity: f.liquidity,
      time: now,
    }));
    const allFills = [...order.fills, ...fills];
    const filledQty = sumLots(allFills.map((f) => f.qty));
    const notional = allFills.reduce((s, f) => s + f.price * f.qty, 0);
    const complete = filledQty >= roundDownToStep(order.qty, stepSize);
    const next: VenueOrder = {
      ...order,
      fills: allFills,
      filledQty,
      avgPrice: filledQty > 0 ? notional / filledQty : null,
      status: complete ? 'filled' : filledQty > 0 ? 'partially_filled' : 'accepted',
    };
    this.balancesState = result.balances;
    await this.deps.store.saveBalances(this.id, { ...result.balances });
    await this.record(next);
    return next;
  }

  private async record(order: VenueOrder): Promise<void> {
    this.orders.set(order.clientOrderId, order);
    await this.deps.store.saveOrder(this.id, order);
  }

  /** One account, one writer: orders and trades apply one at a time, like a matching engine. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

function paperOrder(order: VenueOrder, qty: number, stepSize: number): PaperOrder {
  const [base = '', quote = ''] = order.symbol.split('-');
  return { side: order.side, qty, limitPrice: null, base, quote, stepSize };
}

function isOpen(order: VenueOrder): boolean {
  return order.status === 'accepted' || order.status === 'partially_filled';
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
