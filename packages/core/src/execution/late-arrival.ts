/**
 * How long a signed request can still reach the venue: Binance executes one that arrives by its
 * `timestamp + recvWindow` (its own clock) and refuses it after; `clockSkewMs` allows for our clock
 * running behind the venue's.
 */
export type ArrivalWindow = { recvWindowMs: number; clockSkewMs: number };

/**
 * Whether an order sent (signed) at `sentAt` that got no answer may still land on the venue at `now`.
 * A request stuck at the gateway or on the way to the matching engine is "not found" by a look-up, then
 * executes (Binance -1007: send status unknown, execution status unknown); and a filled order frees its
 * client id, so a re-send under that id is not refused as a duplicate. A look-up answering "no such
 * order" is final only once this is false. A slice never stamped (`null`: recorded before the stamp was
 * kept, or caught before it went out) has no request that can land.
 */
export function mayStillLand(sentAt: number | null, now: number, window: ArrivalWindow): boolean {
  return sentAt !== null && now <= sentAt + window.recvWindowMs + window.clockSkewMs;
}
