import type { PositionSide } from '@ballast/contracts';

/** True when a printed price went through the stop: a long's stop is hit at or below it. */
export function stopCrossed(side: PositionSide, stopPrice: number, price: number): boolean {
  return side === 'long' ? price <= stopPrice : price >= stopPrice;
}

/** What the local monitor (the second line of defence) sees about the venue's stop. */
export type VenueStopState = 'open' | 'triggered' | 'missing' | 'unknown';

/**
 * Decides whether to close a position locally. The venue's stop normally does the work; the local
 * monitor closes only when the price is `graceBps` past the stop and the venue has not triggered,
 * e.g. because the venue is down or the stop vanished.
 */
export function localStopDecision(input: {
  side: PositionSide;
  stopPrice: number;
  price: number;
  graceBps: number;
  venueStop: VenueStopState;
}): { close: false } | { close: true; reason: string } {
  if (input.venueStop === 'triggered') return { close: false };
  const factor = input.graceBps / 10_000;
  const limit = input.side === 'long' ? input.stopPrice * (1 - factor) : input.stopPrice * (1 + factor);
  if (!stopCrossed(input.side, limit, input.price)) return { close: false };
  return {
    close: true,
    reason: `price ${input.price} crossed stop ${input.stopPrice} (grace ${input.graceBps} bps) while the venue stop is ${input.venueStop}`,
  };
}
