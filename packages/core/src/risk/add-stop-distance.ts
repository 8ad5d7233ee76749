import { inMarketSide, type MarketSide, type RiskState } from './risk-state';

/**
 * The stop distance an entry is sized by: its own, or for an add to what the strategy holds in the
 * market and side, the distance from its entry to the held position's stop when that is farther. The
 * stop manager protects the whole position at the position's stop (it re-places it over the larger
 * quantity), so an add whose own stop is tighter would lose more than its risk budget there.
 *
 * Conservatively: a held position whose stop is not known (0) is taken to risk the add's whole entry
 * price, as positionRisk counts it (nothing is known to cap the loss); an entry approved and not filled
 * yet counts with its approved stop, which becomes the position's when it opens it (one read back
 * without a stop is skipped: its order's stop is not known to anyone yet).
 */
export function addStopDistance(
  state: Pick<RiskState, 'positions' | 'pending'>,
  c: MarketSide,
  prices: { entry: number; stop: number },
): number {
  const here = inMarketSide(c);
  const toStop = (stop: number) => (c.side === 'long' ? prices.entry - stop : stop - prices.entry);
  const held = state.positions.filter(here).map((p) => (p.stop > 0 ? toStop(p.stop) : prices.entry));
  const awaited = state.pending.filter((p) => here(p) && p.stop > 0).map((p) => toStop(p.stop));
  return Math.max(Math.abs(prices.entry - prices.stop), ...held, ...awaited);
}
