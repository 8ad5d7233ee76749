/**
 * How long a signed request can still reach the venue. Binance executes one that arrives while its own
 * clock reads at most `timestamp + recvWindow`, the timestamp being ours at signing; `clockSkewMs`
 * allows for the venue's clock running behind ours by up to that much, which leaves the request that
 * much longer to arrive (a venue clock ahead of ours only shortens it).
 */
export type ArrivalWindow = { recvWindowMs: number; clockSkewMs: number };

/**
 * The latest time a send stamped `sentAt` can have been signed, for a service run that started at
 * `startedAt`. A run stamps a send again once it failed, so a stamp of this run bounds the signing. A
 * stamp from before this run (taken before its send went out) or none (a slice left `sending` before
 * the stamp was kept, or caught before its stamp was written) is bounded only by the start: the
 * process that sent it had stopped by then.
 */
export function latestSigning(sentAt: number | null, startedAt: number): number {
  return sentAt !== null && sentAt >= startedAt ? sentAt : startedAt;
}

/**
 * Whether an order signed at the latest at `signedBy` (latestSigning) that got no answer may still land
 * on the venue at `now`. A request stuck at the gateway or on the way to the matching engine is "not
 * found" by a look-up, then executes (Binance -1007: send status unknown, execution status unknown);
 * and a filled order frees its client id, so a re-send under that id is not refused as a duplicate. A
 * look-up answering "no such order" is final only once this is false.
 */
export function mayStillLand(signedBy: number, now: number, window: ArrivalWindow): boolean {
  return now <= signedBy + window.recvWindowMs + window.clockSkewMs;
}
