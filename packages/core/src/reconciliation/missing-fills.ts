import type { Drift } from './recon-drift';
import type { LedgerSnapshot, VenueSnapshot, VenueTrade } from './recon-snapshot';

/**
 * The client id of the order a venue trade belongs to, when any source names it. Order ids, like
 * trade ids, are numbered per market: an order is the trade's only on the trade's market.
 */
export function tradeOwner(trade: VenueTrade, venue: VenueSnapshot, ledger: LedgerSnapshot): string | null {
  const isIts = (o: { symbol: string; venueOrderId: string | null } | null) =>
    o?.symbol === trade.symbol && o.venueOrderId === trade.venueOrderId;
  const ours = ledger.orders.find(isIts);
  if (ours) return ours.clientOrderId;
  const open = venue.openOrders.find(isIts);
  if (open) return open.clientOrderId;
  const looked = Object.values(venue.lookups).find(isIts);
  return looked?.clientOrderId ?? null;
}

/**
 * A venue trade's identity: its market and its trade id. Venues number trades per market (Binance's
 * ETHUSDT trade 7 is not its BTCUSDT trade 7), so the id alone names no trade.
 */
export function tradeKey(symbol: string, tradeId: string): string {
  return `${symbol}:${tradeId}`;
}

/** Venue trades our fills do not contain: each is ingested once, under its venue trade id. */
export function findMissingFills(venue: VenueSnapshot, ledger: LedgerSnapshot): Drift[] {
  const seen = new Set<string>();
  const drifts: Drift[] = [];
  for (const trade of venue.trades) {
    const key = tradeKey(trade.symbol, trade.tradeId);
    if (ledger.tradeKeys.has(key) || seen.has(key)) continue;
    seen.add(key);
    const clientOrderId = tradeOwner(trade, venue, ledger);
    drifts.push({
      kind: 'missing_fill',
      key: `fill:${key}`,
      symbol: trade.symbol,
      trade,
      clientOrderId,
      action: 'ingest_fill',
      evidence: `venue trade ${trade.tradeId}: ${trade.side} ${trade.qty} ${trade.symbol} @ ${trade.price} (order ${clientOrderId ?? trade.venueOrderId}) is not in our fills`,
    });
  }
  return drifts;
}
