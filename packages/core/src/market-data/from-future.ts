/**
 * How far past our clock an event's time may lie (the venue's clock ahead of ours). Beyond it the event
 * is from the future (ADR 26): times in another unit (microseconds) or a glitch. Market-data drops such
 * candles, trades and book updates; market-data's seed and the features warm-up pass over stored ones.
 */
export const MAX_CLOSE_AHEAD_MS = 60_000;

/** Whether `time` lies further past `now` than any venue clock ahead of ours explains. */
export function fromFuture(time: number, now: number): boolean {
  return time - now > MAX_CLOSE_AHEAD_MS;
}

/** The latest close time not from the future at `now`: what seeds and warm-ups start from. */
export function latestCredibleTime(now: number): number {
  return now + MAX_CLOSE_AHEAD_MS;
}
