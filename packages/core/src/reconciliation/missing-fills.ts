import type { Drift } from './recon-drift';
import type { LedgerSnapshot, VenueSnapshot, VenueTrade } from './recon-snapshot';

/** The client id of the order a venue trade belongs to, when any source names it. */
export function tradeOwner(trade: VenueTrade, venue: VenueSnapshot, ledger: LedgerSnapshot): string | null {
  const id = trade.venueOrderId;
  const ours = ledger.orders.find((o) => o.venueOrderId === id);
  if (ours) return ours.clientOrderId;
  const open = venue.openOrders.find((o) => o.venueOrderId === id);
  if (open) return open.clientOrderId;
  const looked = Object.values(venue.lookups).find((o) => o?.venueOrderId === id);
  return looked?.clientOrderId ?? null;
}

/** Venue trades our fills do not contain: each is ingested once, under its venue trade id. */
export function findMissingFills(venue: VenueSnapshot, ledger: LedgerSnapshot): Drift[] {
  const seen = new Set<string>();
  const drifts: Drift[] = [];
  for (const trade of venue.trades) {
    if (ledger.tradeIds.has(trade.tradeId) || seen.has(trade.tradeId)) continue;
    seen.add(trade.tradeId);
    const clientOrderId = tradeOwner(trade, venue, ledger);
    drifts.push({
      kind: 'missing_fill',
      key: `fill:${trade.tradeId}`,
      symbol: trade.symbol,
      trade,
      clientOrderId,
      action: 'ingest_fill',
      evidence: `venue trade ${trade.tradeId}: ${trade.side} ${trade.qty} ${trade.symbol} @ ${trade.price} (order ${clientOrderId ?? trade.venueOrderId}) is not in our fills`,
    });
  }
  return drifts;
}

/** Signed quantity a trade adds to a position (a buy lengthens, a sell shortens). */
export function signedQty(trade: Pick<VenueTrade, 'side' | 'qty'>): number {
  return trade.side === 'buy' ? trade.qty : -trade.qty;
}
