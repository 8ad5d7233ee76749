import type { OrderSide } from '@ballast/contracts';
import type { MarketRules, ObservedStop } from '@ballast/core';

/** A protective stop we ask a venue to rest (a stop-limit on Binance spot, live and paper). */
export interface StopRequest {
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  stopPrice: number;
  reduceOnly: boolean;
}

/**
 * A stop order as the venue reports it. `triggered`: the venue started executing it (filled, or a
 * stop-limit working in the book); `cancelled`: gone without executing (cancelled, expired).
 * `filledQty`, where the venue reports it, tells a stop that executed (all of `qty`) from a
 * stop-limit triggered but still resting (the price went past its limit).
 */
export type StopOrder = ObservedStop & {
  clientOrderId: string;
  venueOrderId: string;
  symbol: string;
  filledQty?: number;
  /** A stop-limit's limit, where the venue reports it: past it, a triggered stop cannot fill. */
  limitPrice?: number;
};

/**
 * What the stops service needs from a venue: rest, read back and cancel stop orders. `OrderVenue`
 * has market and limit orders only, so stops get their own small interface. Implemented by the
 * paper stop venue (backtests, paper trading) and by ccxt (`CcxtStopVenue`). Failures are `VenueError`s.
 */
export interface StopVenue {
  readonly id: string;
  /** True when the venue honours reduce-only on stops (spot venues do not). */
  readonly supportsReduceOnly: boolean;
  marketRules(symbol: string): Promise<MarketRules>;
  placeStop(request: StopRequest): Promise<StopOrder>;
  /** The stop with this client id, or undefined when the venue does not know it. */
  fetchStop(symbol: string, clientOrderId: string): Promise<StopOrder | undefined>;
  cancelStop(symbol: string, clientOrderId: string): Promise<StopOrder | undefined>;
  /**
   * For simulated venues only: a printed price, so resting stops trigger as they would on the
   * exchange. Returns the stops it triggered.
   */
  observePrice?(symbol: string, price: number): Promise<StopOrder[]>;
}
