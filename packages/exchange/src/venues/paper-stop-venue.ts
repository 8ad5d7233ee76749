import type { IdGenerator } from '@ballast/contracts';
import { isMultipleOfStep, type MarketRules, stopCrossed } from '@ballast/core';
import { VenueError } from './order-venue';
import type { StopOrder, StopRequest, StopVenue } from './stop-venue';

export interface PaperStopVenueDeps {
  venue: string;
  rules: (symbol: string) => Promise<MarketRules> | MarketRules;
  ids: IdGenerator;
}

/**
 * Stop orders resting on the paper venue. Like an exchange it keeps them apart from our service:
 * a restart of the stops service does not lose them, a restart of the paper venue does (and the
 * service re-places them from its own records). A triggered stop becomes a reduce-only market order
 * that the caller sends to the paper account.
 */
export class PaperStopVenue implements StopVenue {
  readonly supportsReduceOnly = true;
  private readonly stops = new Map<string, StopOrder>();
  /** The open ones only: a price is checked against these, not against every stop ever placed. */
  private readonly open = new Map<string, StopOrder>();

  constructor(private readonly deps: PaperStopVenueDeps) {}

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
    if (!isMultipleOfStep(request.qty, rules.stepSize) || request.qty < rules.minQty)
      throw new VenueError('precision', `qty ${request.qty} does not fit step ${rules.stepSize}`);
    if (!isMultipleOfStep(request.stopPrice, rules.tickSize))
      throw new VenueError('precision', `stop ${request.stopPrice} does not fit tick ${rules.tickSize}`);
    const stop: StopOrder = {
      clientOrderId: request.clientOrderId,
      venueOrderId: this.deps.ids(),
      symbol: request.symbol,
      side: request.side,
      status: 'open',
      qty: request.qty,
      stopPrice: request.stopPrice,
    };
    this.stops.set(stop.clientOrderId, stop);
    this.open.set(stop.clientOrderId, stop);
    return { ...stop };
  }

  async fetchStop(_symbol: string, clientOrderId: string): Promise<StopOrder | undefined> {
    const stop = this.stops.get(clientOrderId);
    return stop ? { ...stop } : undefined;
  }

  async cancelStop(_symbol: string, clientOrderId: string): Promise<StopOrder | undefined> {
    const stop = this.stops.get(clientOrderId);
    if (!stop) return undefined;
    if (stop.status === 'open') stop.status = 'cancelled';
    this.open.delete(clientOrderId);
    return { ...stop };
  }

  async observePrice(symbol: string, price: number): Promise<StopOrder[]> {
    const triggered: StopOrder[] = [];
    for (const stop of this.open.values()) {
      if (stop.symbol !== symbol) continue;
      const positionSide = stop.side === 'sell' ? 'long' : 'short';
      if (!stopCrossed(positionSide, stop.stopPrice, price)) continue;
      stop.status = 'triggered';
      this.open.delete(stop.clientOrderId);
      triggered.push({ ...stop });
    }
    return triggered;
  }

  /** Open stops, as an exchange's open-orders listing would show them. */
  openStops(symbol?: string): StopOrder[] {
    return [...this.open.values()].filter((s) => !symbol || s.symbol === symbol);
  }
}
