import type { IdGenerator } from '@ballast/contracts';
import { type Balances, type MarketRules, orderFilterFailure, pastLimit, stopCrossed } from '@ballast/core';
import { VenueError } from './order-venue';
import { type Lock, stopLock } from './paper-locks';
import { stopLimitPrice } from './stop-limit-price';
import type { StopOrder, StopRequest, StopVenue } from './stop-venue';

/** Binance spot's MAX_NUM_ALGO_ORDERS in the recorded exchangeInfo: stop orders one symbol may hold. */
export const DEFAULT_MAX_OPEN_STOPS = 5;

export interface PaperStopVenueDeps {
  venue: string;
  rules: (symbol: string) => Promise<MarketRules> | MarketRules;
  ids: IdGenerator;
  /** STOP_LIMIT_OFFSET_BPS: where each stop's limit sits beyond its stop, as the live venue places it. */
  limitOffsetBps: number;
  /**
   * Whether stops are reduce-only: only when simulating a derivatives venue. A spot account (the
   * default, as `CcxtStopVenue`) has none, so the stops service frees locked coins before a sale.
   */
  supportsReduceOnly?: boolean;
  /** Stops one symbol may hold at once; DEFAULT_MAX_OPEN_STOPS unless given. */
  maxOpenStops?: number;
  /**
   * The paper account in the same process (the backtest's), whose free balance a stop must fit in; it
   * holds back `locks()`. Without it (the stops service apart from the orders service) nothing is checked.
   */
  account?: { freeBalances(): Promise<Balances> };
}

type PaperStop = StopOrder & { limitPrice: number; filledQty: number };

/**
 * Stop orders resting on the paper venue, as Binance spot's STOP_LOSS_LIMIT: a limit `limitOffsetBps`
 * beyond the stop, the venue's filters and its cap on open stops, refused when the last price is
 * already through the stop, and the coins it covers locked until it is done. A print through the stop
 * triggers it; it executes only at a print no worse than its limit (its fill becomes the market close
 * the caller sends to the paper account), else it rests triggered and unfilled, as the live one does
 * past its limit. Like an exchange it keeps them apart from our service: a restart of the stops
 * service does not lose them, a restart of the paper venue does (the service re-places them).
 */
export class PaperStopVenue implements StopVenue {
  readonly supportsReduceOnly: boolean;
  private readonly stops = new Map<string, PaperStop>();
  /** Those not done: waiting for their trigger, or triggered and resting at their limit. */
  private readonly open = new Map<string, PaperStop>();
  private readonly lastPrice = new Map<string, number>();

  constructor(private readonly deps: PaperStopVenueDeps) {
    this.supportsReduceOnly = deps.supportsReduceOnly ?? false;
  }

  get id(): string {
    return this.deps.venue;
  }

  async marketRules(symbol: string): Promise<MarketRules> {
    return this.deps.rules(symbol);
  }

  async placeStop(request: StopRequest): Promise<StopOrder> {
    if (this.stops.has(request.clientOrderId))
      throw new VenueError('invalid_order', `duplicate client order id ${request.clientOrderId}`);
    const rules = await this.marketRules(request.symbol);
    const limitPrice = stopLimitPrice(request, this.deps.limitOffsetBps, rules.tickSize);
    this.assertAccepted(request, rules, limitPrice);
    const stop: PaperStop = {
      clientOrderId: request.clientOrderId,
      venueOrderId: this.deps.ids(),
      symbol: request.symbol,
      side: request.side,
      status: 'open',
      qty: request.qty,
      filledQty: 0,
      stopPrice: request.stopPrice,
      limitPrice,
    };
    await this.assertFunds(stop);
    this.stops.set(stop.clientOrderId, stop);
    this.open.set(stop.clientOrderId, stop);
    return { ...stop };
  }

  async fetchStop(_symbol: string, clientOrderId: string): Promise<StopOrder | undefined> {
    const stop = this.stops.get(clientOrderId);
    return stop ? { ...stop } : undefined;
  }

  /** A stop not done is cancelled, one triggered and resting unfilled included; a done one is read back. */
  async cancelStop(_symbol: string, clientOrderId: string): Promise<StopOrder | undefined> {
    const stop = this.stops.get(clientOrderId);
    if (!stop) return undefined;
    if (this.open.delete(clientOrderId)) stop.status = 'cancelled';
    return { ...stop };
  }

  /**
   * A printed price: stops it goes through trigger, and a stop it triggers executes at a print no worse
   * than its limit (a marketable limit then). One triggered earlier rests at its limit, and executes
   * only at a print through it, as a resting paper limit fills (core executeRestingLimit): a print at
   * the limit may have gone to the queue ahead of it. Returns the stops that executed (in full: the
   * print is all the book paper sees here).
   */
  async observePrice(symbol: string, price: number): Promise<StopOrder[]> {
    this.lastPrice.set(symbol, price);
    const executed: StopOrder[] = [];
    for (const stop of this.open.values()) {
      if (stop.symbol !== symbol) continue;
      const positionSide = stop.side === 'sell' ? 'long' : 'short';
      const resting = stop.status === 'triggered';
      if (!resting && !stopCrossed(positionSide, stop.stopPrice, price)) continue;
      stop.status = 'triggered';
      if (pastLimit(positionSide, stop.limitPrice, price)) continue;
      if (resting && price === stop.limitPrice) continue;
      stop.filledQty = stop.qty;
      this.open.delete(stop.clientOrderId);
      executed.push({ ...stop });
    }
    return executed;
  }

  /** Open stops, as an exchange's open-orders listing would show them (triggered ones resting included). */
  openStops(symbol?: string): StopOrder[] {
    return [...this.open.values()].filter((s) => !symbol || s.symbol === symbol).map((s) => ({ ...s }));
  }

  /** What the stops not done hold back from the paper account. */
  locks(): Lock[] {
    return [...this.open.values()].map(stopLock);
  }

  /**
   * Binance's refusals of a stop-limit: the filters on its limit and on its stop (an algo order's
   * notional is checked at both), the cap on open stops, and a stop the last price already went through.
   */
  private assertAccepted(request: StopRequest, rules: MarketRules, limitPrice: number): void {
    for (const price of [request.stopPrice, limitPrice]) {
      const refused = orderFilterFailure({ qty: request.qty, price }, rules, price);
      if (refused) throw new VenueError(refused.reason, `${request.clientOrderId}: ${refused.detail}`);
    }
    const max = this.deps.maxOpenStops ?? DEFAULT_MAX_OPEN_STOPS;
    const held = this.openStops(request.symbol).length;
    if (held >= max)
      throw new VenueError(
        'invalid_order',
        `${request.clientOrderId}: Filter failure: MAX_NUM_ALGO_ORDERS (${held} open, at most ${max})`,
      );
    const last = this.lastPrice.get(request.symbol);
    const positionSide = request.side === 'sell' ? 'long' : 'short';
    if (last !== undefined && stopCrossed(positionSide, request.stopPrice, last))
      throw new VenueError(
        'invalid_order',
        `${request.clientOrderId}: Stop price would trigger immediately (stop ${request.stopPrice}, last ${last})`,
      );
  }

  /** The paper account must have free what the stop locks, as Binance refuses a stop it cannot lock. */
  private async assertFunds(stop: PaperStop): Promise<void> {
    if (!this.deps.account) return;
    const lock = stopLock(stop);
    const free = (await this.deps.account.freeBalances())[lock.asset] ?? 0;
    if (lock.amount > free)
      throw new VenueError(
        'insufficient_funds',
        `${stop.clientOrderId}: Account has insufficient balance for requested action (stop locks ${lock.amount} ${lock.asset}, ${free} free)`,
      );
  }
}
