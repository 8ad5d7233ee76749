import { isDust } from '../execution/dust';
import { marketKey } from '../risk/risk-state';
import type { Drift } from './recon-drift';
import type { ReconPolicy } from './recon-policy';
import type { LedgerSnapshot, LedgerStop, VenueSnapshot } from './recon-snapshot';

/**
 * Open positions our stops do not fully protect: a record whose stop is not open on the venue
 * (`not_resting`), a position no record names (`unrecorded`), a stop resting for less than the
 * position beyond the symbol's tolerance (`short`). A position within its tolerance is dust, no position.
 */
export function findMissingStops(
  venue: VenueSnapshot,
  ledger: LedgerSnapshot,
  positions: Readonly<Record<string, number>>,
  policy: ReconPolicy,
): Drift[] {
  if (!policy.stopsOnVenue) return [];
  const live = new Map(venue.openOrders.map((o) => [o.clientOrderId, o]));
  const held = (symbol: string) => Math.abs(positions[symbol] ?? 0);
  const isPosition = (symbol: string) =>
    held(symbol) > (policy.positionTolerance[symbol] ?? 0) && !unsellable(policy, symbol, held(symbol));
  const drifts: Drift[] = [];
  const recorded = new Set<string>();
  for (const stop of ledger.stops) {
    // A leftover (a closed position's stop whose cancel failed, qty 0) protects nothing: it is the
    // stops service's to cancel, never a position's missing stop, nor the record of the position held.
    if (isLeftover(stop)) continue;
    recorded.add(stop.symbol);
    if (!isPosition(stop.symbol)) continue;
    const positionQty = held(stop.symbol);
    const resting = stop.clientOrderId ? live.get(stop.clientOrderId) : undefined;
    if (!resting) {
      drifts.push({
        kind: 'missing_stop',
        key: `stop:${stop.positionId}:${stop.clientOrderId ?? 'none'}`,
        symbol: stop.symbol,
        positionId: stop.positionId,
        clientOrderId: stop.clientOrderId,
        coverage: 'not_resting',
        positionQty,
        action: 'replace_stop',
        evidence: stop.clientOrderId
          ? `stop ${stop.clientOrderId} (${stop.qty} @ ${stop.stopPrice}) for ${stop.positionId} is not open on the venue`
          : `${stop.positionId} has no stop placed`,
      });
      continue;
    }
    // Short on purpose while a take-profit sells or a move waits: the sale's outcome sizes the stop.
    if (stop.resizing) continue;
    const covered = resting.qty - resting.filledQty;
    // Rounded: a float remainder of equal sizes is no shortfall.
    if (Number((positionQty - covered).toFixed(12)) <= (policy.positionTolerance[stop.symbol] ?? 0)) continue;
    drifts.push({
      kind: 'missing_stop',
      key: `stop:${stop.positionId}:${resting.clientOrderId}:short:${positionQty}`,
      symbol: stop.symbol,
      positionId: stop.positionId,
      clientOrderId: resting.clientOrderId,
      coverage: 'short',
      positionQty,
      action: 'replace_stop',
      evidence: `stop ${resting.clientOrderId} rests for ${covered} of the ${positionQty} ${stop.positionId} holds`,
    });
  }
  // An order of the market changed within the in-flight grace: the position it opened may not have its
  // stop record saved yet (the stops service acts on the position event); the next run judges it.
  const settling = new Set(
    ledger.orders.filter((o) => policy.now - o.updatedAt < policy.inFlightGraceMs).map((o) => o.symbol),
  );
  for (const symbol of Object.keys(positions).sort()) {
    if (recorded.has(symbol) || settling.has(symbol) || !isPosition(symbol)) continue;
    // Named as the orders service names a position: what the stops service keys its records by.
    const positionId = marketKey(venue.venue, symbol);
    const positionQty = held(symbol);
    drifts.push({
      kind: 'missing_stop',
      key: `stop:${positionId}:unrecorded:${positionQty}`,
      symbol,
      positionId,
      clientOrderId: null,
      coverage: 'unrecorded',
      positionQty,
      action: 'replace_stop',
      evidence: `${positionId} holds ${positionQty} and no stop record names it`,
    });
  }
  return drifts;
}

/**
 * Stop drifts measured against stop records read before the venue, checked against the records read
 * again after it. The stops service moves a stop (a trail: cancel, place the next, save it) at any
 * time: a stop placed and saved between the two reads is known, not an orphan, and the position's
 * stop it replaced is not missing, and a position whose record was saved since is not unrecorded.
 * Each is judged again by the next run's reads.
 */
export function withoutMovedStops(drifts: readonly Drift[], stopsNow: readonly LedgerStop[]): Drift[] {
  const named = new Set(stopsNow.flatMap((s) => (s.clientOrderId ? [s.clientOrderId] : [])));
  // A leftover keeps its slot's position id: the slot's stop now is its position's, not the leftover's.
  const records = stopsNow.filter((s) => !isLeftover(s));
  const current = new Map(records.map((s) => [s.positionId, s.clientOrderId]));
  const resizing = new Set(records.flatMap((s) => (s.resizing ? [s.positionId] : [])));
  return drifts.filter((d) => {
    if (d.kind === 'orphan_stop') return !named.has(d.order.clientOrderId);
    // Cleared to null is no move: the stops service gave up placing it, and the stop is still missing.
    if (d.kind === 'missing_stop') {
      const now = current.get(d.positionId);
      // A position opened just before the venue read: its stop record was saved since.
      if (d.coverage === 'unrecorded') return now === undefined;
      // A take-profit or move begun since: the stop is short on purpose.
      if (d.coverage === 'short' && resizing.has(d.positionId)) return false;
      return now === d.clientOrderId || now === null;
    }
    return true;
  });
}

/** Whether the drifts name a stop, and the stop records are worth reading again. */
export function hasStopDrift(drifts: readonly Drift[]): boolean {
  return drifts.some((d) => d.kind === 'orphan_stop' || d.kind === 'missing_stop');
}

/**
 * Dust no order can sell (below the minimum quantity, or the minimum order value at the symbol's price):
 * an exit the orders service closed on it leaves it in our fills, its stop retired; no stop can hold it.
 * Without a price only the minimum quantity is judged.
 */
export function unsellable(policy: ReconPolicy, symbol: string, qty: number): boolean {
  const dust = policy.dust?.[symbol];
  if (!dust) return false;
  if (dust.price > 0) return isDust(qty, dust.rules, dust.price);
  return isDust(qty, { ...dust.rules, minNotional: 0 }, 1);
}

/** A stop record kept only to cancel its stop: its position closed (qty 0) while the cancel failed. */
function isLeftover(stop: LedgerStop): boolean {
  return stop.qty <= 0;
}
